"""R keras names for pipekeras, so an R keras script ports line by line.

    >>> from pipekeras.r import *
    >>> model = keras_model_sequential() | \\
    ...     layer_dense(units=512, activation="relu", input_shape=784) | \\
    ...     layer_dense(units=10, activation="softmax")

or, keeping the names qualified as in R's `keras::`:

    >>> import pipekeras.r as keras
    >>> model = keras.keras_model_sequential() | keras.layer_dense(units=64, input_shape=13)

Translating an R keras script:

| R keras                                       | pipekeras.r                                        |
| --------------------------------------------- | -------------------------------------------------- |
| `model %>% layer_dense(...)`                  | `model | layer_dense(...)` (`>>` works too)         |
| `layer_dense(model, units = 64)`              | `layer_dense(model, units=64)` (same, in place)    |
| `input_shape = c(28*28)`                      | `input_shape=784` or `input_shape=(784,)`          |
| `TRUE`, `FALSE`, `NULL`                       | `True`, `False`, `None`                            |
| `mnist$train$x`                               | `mnist.train.x` or `mnist["train"]["x"]`           |
| `c(c(x, y), c(xt, yt)) %<-% dataset_mnist()`  | `(x, y), (xt, yt) = dataset_mnist().unpack()`      |
| `freeze_weights(model, from = 2)`             | `freeze_weights(model, from_=2)` (1-based, as R)   |
| `model %>% compile(...)`, `fit`, `evaluate`   | `model | compile(...)`, `fit(...)`, `evaluate(...)` |

R's `%>%` (magrittr's pipe) is Python's `|`: the value on the left goes in as the first argument of the
step on the right, and like R keras a Sequential model is modified in place.

Every layer constructor of pipekeras `N` is available as `layer_N`, every optimizer, loss and metric as
`optimizer_N`, `loss_N`, `metric_N`; each name is written out below (`tests/models/test_public_names.py` checks
that none is missing). Positions given as
integers (`freeze_weights`' `from_`/`to`, `get_layer`'s `index`, the `node_index` of `get_input_at` and
friends) count from 1, as in R.
"""

from ._applications import *  # noqa: F401,F403
from ._backend import *  # noqa: F401,F403
from ._callbacks import *  # noqa: F401,F403
from ._classes import *  # noqa: F401,F403
from ._data import *  # noqa: F401,F403
from ._generators import *  # noqa: F401,F403
from ._layers import *  # noqa: F401,F403
from ._models import *  # noqa: F401,F403
from ._objects import *  # noqa: F401,F403
from ._preprocessing import *  # noqa: F401,F403
from ._saving import *  # noqa: F401,F403
from ..tuning import flags, tuning_run  # tfruns: a training script run over a grid of flags


