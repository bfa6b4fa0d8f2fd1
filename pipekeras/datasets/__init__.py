"""Small benchmark datasets in Keras' layouts, loaded exactly as `keras.datasets` loads them.

    >>> from pipekeras.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()

Files are looked up in `$PIPEKERAS_DATASETS`, then `~/.pipekeras/datasets`, else downloaded from Keras'
storage into the latter (see `pipekeras.datasets._files`). Files are never unpickled unless trusted: see
`trust_file`.
"""

from . import boston_housing, cifar10, fashion_mnist, imdb, mnist, reuters
from ._files import trust_file

__all__ = ["boston_housing", "cifar10", "fashion_mnist", "imdb", "mnist", "reuters", "trust_file"]
