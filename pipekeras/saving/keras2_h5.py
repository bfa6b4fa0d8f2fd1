"""Writing a Keras 2 style `.h5` model file: R keras 2's `save_model_hdf5` (needs h5py).

The file holds the model config as the `model_config` attribute (the same config `.keras` files carry),
the compile settings as `training_config`, and the weights under `model_weights/<layer>/<layer>/<weight>:0`
with the `layer_names` and `weight_names` attributes Keras 2 writes. `load_model` (`keras_files.load_keras_h5`)
reads it back; the optimizer's slots are not written, so `fit` after loading starts them afresh.
"""

import io
import json

import numpy as np

from .. import optimizers
from .archive import write_file
from .keras_files import _h5py, keras_model_config


def _training_config(model):
    """compile's settings in Keras 2's `training_config` form; None for a model that is not compiled."""
    if model.optimizer is None or not model.loss_functions:
        return None
    losses = [loss.name for loss in model.loss_functions]
    metrics = [[metric.name for metric in items] for items in model.output_metrics]
    names = model.compile_config.output_names
    return {"optimizer_config": optimizers.serialize(model.optimizer),
            "loss": losses[0] if len(losses) == 1 else losses,
            "metrics": metrics[0] if len(metrics) == 1 else dict(zip(names, metrics)),
            "loss_weights": list(model.loss_weights)}


def save_keras2_h5(model, path, include_optimizer=True):
    """Writes `model` as a Keras 2 style `.h5` model file (atomically).

    Args:
        model: a Sequential or functional model.
        path: the file to write.
        include_optimizer: also write the compile settings (optimizer, loss, metrics), so that `load_model`
            returns a compiled model.

    Returns:
        The path written.

    Raises:
        MissingDependencyError: h5py is not installed.
        SavingError: the directory does not exist or is not writable.
    """
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        file.attrs["model_config"] = json.dumps(keras_model_config(model))
        file.attrs["keras_version"] = "2.13.1"
        file.attrs["backend"] = "pipekeras"
        training = _training_config(model) if include_optimizer else None
        if training is not None:
            file.attrs["training_config"] = json.dumps(training)
        root = file.create_group("model_weights")
        names = [layer.name for layer in model.layers]
        root.attrs["layer_names"] = np.array([n.encode() for n in names])
        for layer in model.layers:
            group = root.create_group(layer.name)
            weight_names = []
            for variable in layer.weights:
                short = variable.name.rsplit("/", 1)[-1]
                weight_name = f"{layer.name}/{short}:0"
                group.create_dataset(weight_name, data=variable.numpy())
                weight_names.append(weight_name.encode())
            group.attrs["weight_names"] = np.array(weight_names, dtype="S") if weight_names else np.array([], "S1")
    return write_file(path, buffer.getvalue())
