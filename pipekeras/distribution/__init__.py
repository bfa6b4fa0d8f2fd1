"""Training beyond one process: data parallelism over MPI (Keras 3's `set_distribution(DataParallel())`) and
prediction on Dask arrays. See docs/distributed.md."""

from .data_parallel import DataParallel, Timings, distribution, set_distribution
from .dask_arrays import is_dask_array, predict_dask
from .runner import shard

__all__ = ["DataParallel", "Timings", "distribution", "set_distribution", "is_dask_array", "predict_dask", "shard"]
