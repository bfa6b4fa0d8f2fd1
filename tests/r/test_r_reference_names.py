"""pipekeras.r against the functions R's keras 2.13 and keras3 1.5 export (../shared/reference/).

Every exported name is either in `pipekeras.r` or listed below with the reason pipekeras lacks it; the test
prints how many names of each list are covered and the ones still missing, with their reasons. An entry
whose name `pipekeras.r` has gained is an error (delete it).
"""

import fnmatch
import os
from pathlib import Path

import pytest

import pipekeras.r as r



def _reference_folder():
    """`$PIPEKERAS_REFERENCE`, else the first `shared/reference` beside the repository or a folder above it."""
    if "PIPEKERAS_REFERENCE" in os.environ:
        return Path(os.environ["PIPEKERAS_REFERENCE"])
    repository = Path(__file__).resolve().parents[2]
    candidates = [parent / "shared" / "reference" for parent in repository.parents]
    return next((c for c in candidates if c.is_dir()), candidates[0])


REFERENCE = _reference_folder()
LISTS = {"R keras 2.13": "r-keras-2.13-exports.txt", "keras3 1.5": "r-keras3-1.5-exports.txt"}

# name (or fnmatch pattern) -> why pipekeras.r does not have it
MISSING = {
    "k_*": "an R keras 2 backend function with no pk.ops counterpart yet (the ported ones are in pipekeras.r)",
    "op_*": "a keras3 op with no pk.ops function yet (the ported ones are in pipekeras.r)",
    "timeseries_generator": "Keras 2's TimeseriesGenerator: use timeseries_dataset_from_array",
    # --- R syntax and the R-to-Python bridge: nothing to port
    "%*%": "R operator: Python has `|` for the pipe and tuple unpacking for %<-% (README, R users)",
    ".": "R's placeholder in pipes; Python lambdas or named arguments do the same",
    "tuple": "R helper building a Python tuple: use Python's tuple",
    "shape": "R helper building a shape: use a Python tuple, e.g. (28, 28, 1)",
    "zip_lists": "R helper: use Python's zip",
    "all_dims": "R's `[` helper for tensors: use NumPy slicing (`x[..., 0]`)",
    "newaxis": "R's `[` helper: use NumPy's np.newaxis",
    "as_tensor": "converts R arrays to TensorFlow tensors: pipekeras works on NumPy arrays",
    "keras": "the R module object of the Python keras package: use `import pipekeras.r as keras`",
    "backend": "R's handle on the Python backend module: use pipekeras.backend",
    "implementation": "chooses the Python keras implementation behind R: pipekeras is one implementation",
    "install_keras": "installs Python keras for R: pip install pipekeras",
    "is_keras_available": "checks R's Python setup: importing pipekeras is the check",
    "use_*": "R's reticulate configuration (use_python, use_virtualenv, use_backend, ...): nothing to configure",
    "py_*": "reticulate helpers (py_help, py_require, py_to_r): Python itself",
    "r_to_py": "reticulate conversion: nothing to convert in Python",
    "import": "reticulate's import: Python's import",
    "mark_active": "R6 class helper for R-defined layers: Python properties",
    "active_property": "R6 class helper for R-defined layers: Python properties",
    "iter_next": "reticulate iterator helper: Python's next()",
    "as_iterator": "reticulate iterator helper: Python's iter()",
    "iterate": "reticulate iterator helper: a Python for loop",
    "flag*": "tfruns training flags: not part of pipekeras (use argparse)",
    "run_dir": "tfruns run directories: not part of pipekeras",
    "KerasCallback": "R6 base class for R callbacks: subclass pipekeras.Callback",
    "KerasConstraint": "R6 base class for R constraints: subclass pipekeras.constraints.Constraint",
    "KerasLayer": "R6 base class for R layers: subclass pipekeras.Layer",
    "Layer": "keras3's R class constructor: subclass pipekeras.Layer",
    "Callback": "keras3's R class constructor: subclass pipekeras.Callback",
    "Constraint": "keras3's R class constructor: subclass pipekeras.constraints.Constraint",
    "Loss": "keras3's R class constructor: subclass pipekeras.losses.Loss",
    "Metric": "keras3's R class constructor: subclass pipekeras.metrics.Metric",
    "Model": "keras3's R class constructor: subclass pipekeras.Model",
    "keras.metrics.metric.Metric": "an R S3 class name, not a function",
    "create_layer": "R keras 2's wrapper for R6 layers: subclass pipekeras.Layer",
    "create_layer_wrapper": "R keras 2's wrapper for R6 layers: subclass pipekeras.Layer",
    "keras_model_custom": "R keras 2's R-defined models: subclass pipekeras.Model",
    "new_callback_class": "R class generator: subclass pipekeras.Callback",
    "new_learning_rate_schedule_class": "R class generator: subclass pipekeras.schedules.LearningRateSchedule",
    "new_loss_class": "R class generator: subclass pipekeras.losses.Loss",
    "new_metric_class": "R class generator: subclass pipekeras.metrics.Metric",
    "custom_metric": "R's metric from an R function: pass a Python function f(y_true, y_pred) to compile",
    "with_custom_object_scope": "global custom-object scopes: pass custom_objects= to load_model",
    "get_custom_objects": "global custom-object registry: pass custom_objects= to load_model",
    "set_custom_objects": "global custom-object registry: pass custom_objects= to load_model",
    "register_keras_serializable": "global custom-object registry: pass custom_objects= to load_model",
    "get_registered_name": "global custom-object registry: pass custom_objects= to load_model",
    "get_registered_object": "global custom-object registry: pass custom_objects= to load_model",
    "serialize_keras_object": "Keras 3's generic object serialization: get_config() / serialize_model",
    "deserialize_keras_object": "Keras 3's generic object serialization: from_config() / unserialize_model",
    # --- TensorFlow and JAX specific
    "export_savedmodel": "TensorFlow SavedModel export: TensorFlow only",
    "model_to_saved_model": "TensorFlow SavedModel export: TensorFlow only",
    "model_from_saved_model": "TensorFlow SavedModel: TensorFlow only",
    "layer_tfsm": "wraps a TensorFlow SavedModel: TensorFlow only",
    "layer_torch_module_wrapper": "wraps a PyTorch module: other backends only",
    "layer_flax_module_wrapper": "wraps a Flax module: JAX only",
    "layer_jax_model_wrapper": "wraps a JAX model: JAX only",
    "optimizer_loss_scale": "mixed-precision loss scaling: pipekeras computes in float32/float64",
    "quantize_weights": "int8/float8 quantization: not in pipekeras",
    "config_*": "backend configuration: pipekeras has config_floatx, config_set_floatx, config_epsilon; the rest "
                "(image data format, flash attention, dtype policies, interactive logging) have no pipekeras setting",
    "model_from_yaml": "YAML model configs were removed from Keras: use model_to_json / model_from_json",
    "model_to_yaml": "YAML model configs were removed from Keras: use model_to_json / model_from_json",
    "model_to_dot": "a pydot graph object: plot_model(model) draws the graph (with Graphviz when installed)",
    "get_state_tree": "Keras 3's nested state dicts: get_weights / set_weights",
    "set_state_tree": "Keras 3's nested state dicts: get_weights / set_weights",
    "keras_variable": "backend variables: pipekeras weights are NumPy arrays in Variables made by layers",
    "generate": "keras3's text generation helper for KerasHub models: not in pipekeras",
    # --- applications and pretrained weights
    "application_*": "ImageNet architectures pipekeras does not build (ConvNeXt, EfficientNet, NASNet, MobileNetV3, "
                     "InceptionResNetV2); it has VGG, ResNet (V1, V2), MobileNet (V1, V2), InceptionV3, Xception, "
                     "DenseNet",
    "dataset_cifar100": "CIFAR-100 loader: not in pipekeras.datasets",
    "dataset_california_housing": "California housing loader: not in pipekeras.datasets",
    # --- data pipelines, images, text, audio
    "image_*": "image file helpers (image_load, image_to_array, ...): not in pipekeras (use Pillow)",
    "*_dataset_from_directory": "datasets read from folders of files: not in pipekeras",
    "split_dataset": "tf.data dataset splitting: not in pipekeras",
    "pack_x_y_sample_weight": "tf.data tuple helper: pass x, y and sample_weight to fit",
    "unpack_x_y_sample_weight": "tf.data tuple helper: pass x, y and sample_weight to fit",
    "adapt": "preprocessing layers that learn from data: pipekeras has none",
    "get_vocabulary": "text lookup layers: not in pipekeras",
    "set_vocabulary": "text lookup layers: not in pipekeras",
    "feature_*": "feature space preprocessing: not in pipekeras",
    "get_source_inputs": "graph helper for TensorFlow tensors: use model.inputs",
    # --- layers pipekeras does not have
    "layer_*attention": "attention layers: not in pipekeras (issue 20)",
    "layer_einsum_dense": "EinsumDense: not in pipekeras",
    "layer_random_*": "random image augmentation layers: not in pipekeras",
    "layer_aug_mix": "image augmentation layers: not in pipekeras",
    "layer_auto_contrast": "image augmentation layers: not in pipekeras",
    "layer_cut_mix": "image augmentation layers: not in pipekeras",
    "layer_mix_up": "image augmentation layers: not in pipekeras",
    "layer_rand_augment": "image augmentation layers: not in pipekeras",
    "layer_equalization": "image augmentation layers: not in pipekeras",
    "layer_solarization": "image augmentation layers: not in pipekeras",
    "layer_max_num_bounding_boxes": "bounding-box preprocessing: not in pipekeras",
    "layer_pipeline": "preprocessing pipelines: not in pipekeras",
    "layer_hashed_crossing": "preprocessing layers: not in pipekeras",
    "layer_feature_space": "feature space preprocessing: not in pipekeras",
    "layer_mel_spectrogram": "audio preprocessing layers: not in pipekeras",
    "layer_stft_spectrogram": "audio preprocessing layers: not in pipekeras",
    "initializer_stft": "audio initializers: not in pipekeras",
    "layer_conv_lstm_*": "ConvLSTM1D and ConvLSTM3D: pipekeras has ConvLSTM2D (layer_conv_lstm_2d) only",
    "layer_depthwise_conv_1d": "1-D depthwise convolution: pipekeras has the 2-D one",
    "layer_separable_conv_1d": "1-D separable convolution: pipekeras has the 2-D one",
    "layer_rms_normalization": "RMSNormalization: not in pipekeras",
    "layer_spectral_normalization": "SpectralNormalization: not in pipekeras",
    # --- activations, losses, metrics, optimizers, schedules, callbacks pipekeras does not have
    "activation_celu": "activation not in pipekeras's activation table",
    "activation_glu": "activation not in pipekeras's activation table",
    "activation_*_shrink": "activation not in pipekeras's activation table",
    "activation_hard_tanh": "activation not in pipekeras's activation table",
    "activation_log_sigmoid": "activation not in pipekeras's activation table",
    "activation_sparse*": "activation not in pipekeras's activation table",
    "activation_squareplus": "activation not in pipekeras's activation table",
    "activation_threshold": "activation not in pipekeras's activation table",
    "loss_*focal_crossentropy": "focal losses: not in pipekeras",
    "loss_categorical_generalized_cross_entropy": "loss not in pipekeras",
    "loss_circle": "loss not in pipekeras",
    "loss_ctc": "CTC loss: not in pipekeras",
    "loss_dice": "loss not in pipekeras",
    "loss_tversky": "loss not in pipekeras",
    "metric_binary_crossentropy": "loss-valued metrics: not registered as metrics (the loss itself is in logs)",
    "metric_categorical_crossentropy": "loss-valued metrics: not registered as metrics (the loss itself is in logs)",
    "metric_sparse_categorical_crossentropy": "loss-valued metrics: not registered as metrics",
    "metric_*focal_crossentropy": "focal losses: not in pipekeras",
    "metric_*hinge": "loss-valued metrics: not registered as metrics",
    "metric_cosine_similarity": "loss-valued metrics: not registered as metrics",
    "metric_huber": "loss-valued metrics: not registered as metrics",
    "metric_kl_divergence": "loss-valued metrics: not registered as metrics",
    "metric_log_cosh*": "loss-valued metrics: not registered as metrics",
    "metric_poisson": "loss-valued metrics: not registered as metrics",
    "metric_*iou": "IoU metrics: not in pipekeras",
    "metric_f1_score": "F-scores: not in pipekeras (metric_precision and metric_recall are)",
    "metric_fbeta_score": "F-scores: not in pipekeras (metric_precision and metric_recall are)",
    "metric_true_*": "confusion counts as metrics: not in pipekeras",
    "metric_false_*": "confusion counts as metrics: not in pipekeras",
    "metric_*_at_*": "threshold-search metrics: not in pipekeras",
    "metric_mean": "streaming mean metric: not in pipekeras",
    "metric_sum": "streaming sum metric: not in pipekeras",
    "metric_mean_wrapper": "metric from a function: pass the function to compile(metrics=...)",
    "metric_r2_score": "R2 metric: not in pipekeras",
    "metric_concordance_correlation": "metric not in pipekeras",
    "metric_pearson_correlation": "metric not in pipekeras",
    "optimizer_adafactor": "optimizer not in pipekeras",
    "optimizer_ftrl": "optimizer not in pipekeras",
    "optimizer_lion": "optimizer not in pipekeras",
    "optimizer_lamb": "optimizer not in pipekeras",
    "optimizer_muon": "optimizer not in pipekeras",
    "learning_rate_schedule_cosine_decay_restarts": "schedule not in pipekeras",
    "callback_backup_and_restore": "callback not in pipekeras (callback_model_checkpoint saves models)",
    "callback_remote_monitor": "callback posting to a server: not in pipekeras",
    "callback_swap_ema_weights": "EMA weights: not in pipekeras's optimizers",
    "random_*": "keras3's random tensor functions: use numpy.random (pipekeras.backend.rng())",
}

# Names other open work adds (helpers H8: op_*/k_*, layer_lambda, new_layer_class; H9: generators and data
# functions); remove each as it lands.


def _exports(filename):
    path = REFERENCE / filename
    if not path.is_file():
        pytest.skip(f"the reference list {path} is not here (set PIPEKERAS_REFERENCE to its folder)")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _reason(name, table):
    if name in table:
        return table[name]
    if name.startswith("%") and name.endswith("%"):
        return MISSING["%*%"]
    return next((reason for pattern, reason in table.items() if fnmatch.fnmatchcase(name, pattern)), None)


def _missing(names):
    return [name for name in names if not hasattr(r, name) or name.startswith("_")]


@pytest.mark.parametrize("title", sorted(LISTS))
def test_every_r_name_is_ported_or_has_a_reason(title, capsys):
    names = _exports(LISTS[title])
    missing = _missing(names)
    without = [name for name in missing if _reason(name, MISSING) is None]
    with capsys.disabled():
        print(f"\n{title}: {len(names) - len(missing)} of {len(names)} names covered by pipekeras.r; missing:")
        for name in missing:
            print(f"  {name:45} {_reason(name, MISSING)}")
    assert not without, f"{title}: names with neither a port in pipekeras.r nor a reason here: {without}"


def test_no_reason_is_left_for_a_name_pipekeras_has():
    names = set(_exports(LISTS["R keras 2.13"])) | set(_exports(LISTS["keras3 1.5"]))
    missing = _missing(sorted(names))
    stale = [key for key in MISSING if key != "%*%" and not any(fnmatch.fnmatchcase(name, key) for name in missing)]
    assert not stale, f"these entries name features pipekeras.r now has (or no listed name): {stale}; delete them"


def test_issue_21_names_are_there():
    for name in ("regularizer_l1", "regularizer_l2", "regularizer_l1_l2", "initializer_glorot_uniform",
                 "constraint_maxnorm", "activation_relu", "learning_rate_schedule_exponential_decay",
                 "layer_upsampling_1d", "layer_upsampling_2d", "save_model_hdf5", "load_model_hdf5",
                 "save_model_weights_hdf5", "load_model_weights_hdf5", "save_model", "load_model", "pop_layer",
                 "keras_input", "optimizer_adam_w", "set_random_seed", "k_clear_session", "get_file",
                 "array_reshape", "predict_classes", "predict_proba", "k_argmax"):
        assert hasattr(r, name) and not name.startswith("_"), name
