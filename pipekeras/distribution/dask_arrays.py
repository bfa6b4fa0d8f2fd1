"""Prediction on Dask arrays: `model | predict(dask_array)` returns a Dask array computed block by block.

The model enters the task graph once (one key that every block's task depends on), so each worker receives it
once and predicts the blocks it holds; nothing is computed until the result is.
"""

import numpy as np

from ..errors import ConfigError


def is_dask_array(x):
    """Whether `x` is a Dask array (checked by its class's module, so Dask need not be installed)."""
    return type(x).__module__.startswith("dask.array") and hasattr(x, "map_blocks")


def predict_dask(model, x, batch_size):
    """Returns the model's outputs for the Dask array `x` as a Dask array, with `x`'s blocks along the first
    axis (the other axes are taken whole).

    Raises:
        ConfigError: for a model with several inputs or outputs, or one whose output shape is not known.
    """
    import dask  # optional: only Dask arrays lead here
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ConfigError(f"predict: a Dask array feeds a model with one input and one output; model "
                          f"{model.name!r} has {len(model.inputs)} inputs and {len(model.outputs)} outputs. "
                          "Predict each block yourself with x.map_blocks.")
    sample_shape = tuple(model.outputs[0].shape[1:])
    if any(d is None for d in sample_shape):
        raise ConfigError(f"predict: the output shape {sample_shape} of model {model.name!r} is not fixed, so the "
                          "Dask array of predictions cannot be described; predict blocks with x.map_blocks.")
    if x.ndim < 2 and len(model.inputs[0].shape) >= 2:
        raise ConfigError(f"predict: the Dask array has shape {x.shape}; model {model.name!r} takes "
                          f"{tuple(model.inputs[0].shape)} (a first axis of samples).")
    x = x.rechunk({axis: -1 for axis in range(1, x.ndim)})
    shipped = dask.delayed(model, pure=True, traverse=False)
    dtype = np.dtype(model.outputs[0].dtype or "float32")
    chunks = (x.chunks[0],) + tuple((d,) for d in sample_shape)
    drop = tuple(range(1 + len(sample_shape), x.ndim)) if x.ndim > 1 + len(sample_shape) else ()
    new = tuple(range(x.ndim, 1 + len(sample_shape))) if 1 + len(sample_shape) > x.ndim else ()
    return x.map_blocks(_predict_block, shipped, batch_size, dtype=dtype, chunks=chunks,
                        drop_axis=drop or None, new_axis=new or None,
                        meta=np.empty((0,) + sample_shape, dtype))


def _predict_block(block, model, batch_size):
    return model.predict(np.asarray(block), batch_size=batch_size)
