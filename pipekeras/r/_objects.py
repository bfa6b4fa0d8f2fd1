"""R's names of the objects given to layers and `compile`: optimizers, losses, metrics, regularizers,
initializers, constraints, activations and learning rate schedules."""

import numpy as _np

from .. import activations as _activations
from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .. import regularizers as _regularizers
from .. import schedules as _schedules
from ..errors import ArgumentTypeError as _ArgumentTypeError
from ..errors import ConfigError as _ConfigError


# ----- optimizers

def _optimizer_alias(cls):
    def make(*args, lr=None, **kwargs):
        if lr is not None:
            if "learning_rate" in kwargs:
                raise _ConfigError(f"optimizer_{cls.__name__.lower()}: give lr or learning_rate, not both.")
            kwargs["learning_rate"] = lr
        return cls(*args, **kwargs)

    make.__name__ = make.__qualname__ = f"optimizer_{cls.__name__.lower()}"
    make.__doc__ = (f"R's `{make.__name__}()`: a `pipekeras.optimizers.{cls.__name__}`.\n\n"
                    f"R keras 2's `lr =` is accepted for `learning_rate`.\n\n{cls.__doc__ or ''}")
    return make


optimizer_adadelta = _optimizer_alias(_optimizers.Adadelta)
optimizer_adagrad = _optimizer_alias(_optimizers.Adagrad)
optimizer_adam = _optimizer_alias(_optimizers.Adam)
optimizer_adamax = _optimizer_alias(_optimizers.Adamax)
optimizer_adamw = _optimizer_alias(_optimizers.AdamW)
optimizer_nadam = _optimizer_alias(_optimizers.Nadam)
optimizer_rmsprop = _optimizer_alias(_optimizers.RMSprop)
optimizer_sgd = _optimizer_alias(_optimizers.SGD)


optimizer_adam_w = _optimizer_alias(_optimizers.AdamW)  # keras3's spelling
optimizer_adam_w.__name__ = optimizer_adam_w.__qualname__ = "optimizer_adam_w"


# ----- losses and metrics

def _object_alias(kind, name, factory):
    def make(y_true=None, y_pred=None, **kwargs):
        obj = factory(**kwargs)
        if y_true is None and y_pred is None:
            return obj
        if y_true is None or y_pred is None:
            raise _ArgumentTypeError(f"{kind}_{name}: give both y_true and y_pred, or neither.")
        y_true, y_pred = _np.asarray(y_true), _np.asarray(y_pred)
        if kind == "loss":
            return obj.values(y_true, y_pred)
        return obj(y_true, y_pred)

    make.__name__ = make.__qualname__ = f"{kind}_{name}"
    if kind == "loss":
        make.loss_name = name  # compile(loss=loss_mse), uncalled, is the built-in loss
    what = ("the per-sample losses" if kind == "loss" else "the metric's value")
    make.__doc__ = (f"R's `{kind}_{name}()`: with no data, the {kind} object to give to `compile()`; "
                    f"`{kind}_{name}(y_true, y_pred)` returns {what}.\n\n{getattr(factory, '__doc__', '') or ''}")
    return make


loss_binary_crossentropy = _object_alias("loss", "binary_crossentropy", _losses.BinaryCrossentropy)
loss_categorical_crossentropy = _object_alias("loss", "categorical_crossentropy", _losses.CategoricalCrossentropy)
loss_categorical_hinge = _object_alias("loss", "categorical_hinge", _losses.CategoricalHinge)
loss_cosine_similarity = _object_alias("loss", "cosine_similarity", _losses.CosineSimilarity)
loss_hinge = _object_alias("loss", "hinge", _losses.Hinge)
loss_huber = _object_alias("loss", "huber", _losses.Huber)
loss_huber_loss = _object_alias("loss", "huber_loss", _losses.Huber)
loss_kl_divergence = _object_alias("loss", "kl_divergence", _losses.KLDivergence)
loss_kld = _object_alias("loss", "kld", _losses.KLDivergence)
loss_kullback_leibler_divergence = _object_alias("loss", "kullback_leibler_divergence", _losses.KLDivergence)
loss_log_cosh = _object_alias("loss", "log_cosh", _losses.LogCosh)
loss_logcosh = _object_alias("loss", "logcosh", _losses.LogCosh)
loss_mae = _object_alias("loss", "mae", _losses.MeanAbsoluteError)
loss_mape = _object_alias("loss", "mape", _losses.MeanAbsolutePercentageError)
loss_mean_absolute_error = _object_alias("loss", "mean_absolute_error", _losses.MeanAbsoluteError)
loss_mean_absolute_percentage_error = _object_alias("loss", "mean_absolute_percentage_error",
                                                    _losses.MeanAbsolutePercentageError)
loss_mean_squared_error = _object_alias("loss", "mean_squared_error", _losses.MeanSquaredError)
loss_mean_squared_logarithmic_error = _object_alias("loss", "mean_squared_logarithmic_error",
                                                    _losses.MeanSquaredLogarithmicError)
loss_mse = _object_alias("loss", "mse", _losses.MeanSquaredError)
loss_msle = _object_alias("loss", "msle", _losses.MeanSquaredLogarithmicError)
loss_poisson = _object_alias("loss", "poisson", _losses.Poisson)
loss_sparse_categorical_crossentropy = _object_alias("loss", "sparse_categorical_crossentropy",
                                                     _losses.SparseCategoricalCrossentropy)
loss_squared_hinge = _object_alias("loss", "squared_hinge", _losses.SquaredHinge)

# No metric_accuracy: "accuracy" is resolved from the loss at compile time (pass metrics = "accuracy").
metric_auc = _object_alias("metric", "auc", _metrics.AUC)
metric_binary_accuracy = _object_alias("metric", "binary_accuracy", _metrics.BinaryAccuracy)
metric_categorical_accuracy = _object_alias("metric", "categorical_accuracy", _metrics.CategoricalAccuracy)
metric_mae = _object_alias("metric", "mae", _metrics.MeanAbsoluteError)
metric_mape = _object_alias("metric", "mape", _metrics.MeanAbsolutePercentageError)
metric_mean_absolute_error = _object_alias("metric", "mean_absolute_error", _metrics.MeanAbsoluteError)
metric_mean_absolute_percentage_error = _object_alias("metric", "mean_absolute_percentage_error",
                                                      _metrics.MeanAbsolutePercentageError)
metric_mean_squared_error = _object_alias("metric", "mean_squared_error", _metrics.MeanSquaredError)
metric_mean_squared_logarithmic_error = _object_alias("metric", "mean_squared_logarithmic_error",
                                                      _metrics.MeanSquaredLogarithmicError)
metric_mse = _object_alias("metric", "mse", _metrics.MeanSquaredError)
metric_msle = _object_alias("metric", "msle", _metrics.MeanSquaredLogarithmicError)
metric_precision = _object_alias("metric", "precision", _metrics.Precision)
metric_recall = _object_alias("metric", "recall", _metrics.Recall)
metric_rmse = _object_alias("metric", "rmse", _metrics.RootMeanSquaredError)
metric_root_mean_squared_error = _object_alias("metric", "root_mean_squared_error", _metrics.RootMeanSquaredError)
metric_sparse_categorical_accuracy = _object_alias("metric", "sparse_categorical_accuracy",
                                                   _metrics.SparseCategoricalAccuracy)
metric_sparse_top_k_categorical_accuracy = _object_alias("metric", "sparse_top_k_categorical_accuracy",
                                                         _metrics.SparseTopKCategoricalAccuracy)
metric_top_k_categorical_accuracy = _object_alias("metric", "top_k_categorical_accuracy",
                                                  _metrics.TopKCategoricalAccuracy)


regularizer_l1 = _regularizers.L1
regularizer_l2 = _regularizers.L2
regularizer_l1_l2 = _regularizers.L1L2
regularizer_orthogonal = _regularizers.OrthogonalRegularizer

initializer_constant = _initializers.Constant
initializer_glorot_normal = _initializers.GlorotNormal
initializer_glorot_uniform = _initializers.GlorotUniform
initializer_he_normal = _initializers.HeNormal
initializer_he_uniform = _initializers.HeUniform
initializer_identity = _initializers.Identity
initializer_lecun_normal = _initializers.LecunNormal
initializer_lecun_uniform = _initializers.LecunUniform
initializer_ones = _initializers.Ones
initializer_orthogonal = _initializers.Orthogonal
initializer_random_normal = _initializers.RandomNormal
initializer_random_uniform = _initializers.RandomUniform
initializer_truncated_normal = _initializers.TruncatedNormal
initializer_variance_scaling = _initializers.VarianceScaling
initializer_zeros = _initializers.Zeros

constraint_maxnorm = _constraints.MaxNorm
constraint_minmaxnorm = _constraints.MinMaxNorm
constraint_nonneg = _constraints.NonNeg
constraint_unitnorm = _constraints.UnitNorm

# R's activation_relu etc.: the activation, given as `activation = activation_relu` or called on an array.
activation_elu = _activations.elu
activation_exponential = _activations.exponential
activation_gelu = _activations.gelu
activation_hard_sigmoid = _activations.hard_sigmoid
activation_hard_silu = _activations.hard_silu
activation_hard_swish = _activations.hard_swish
activation_leaky_relu = _activations.leaky_relu
activation_linear = _activations.linear
activation_log_softmax = _activations.log_softmax
activation_mish = _activations.mish
activation_relu = _activations.relu
activation_relu6 = _activations.relu6
activation_selu = _activations.selu
activation_sigmoid = _activations.sigmoid
activation_silu = _activations.silu
activation_softmax = _activations.softmax
activation_softplus = _activations.softplus
activation_softsign = _activations.softsign
activation_tanh = _activations.tanh

learning_rate_schedule_cosine_decay = _schedules.CosineDecay
learning_rate_schedule_exponential_decay = _schedules.ExponentialDecay
learning_rate_schedule_inverse_time_decay = _schedules.InverseTimeDecay
learning_rate_schedule_piecewise_constant_decay = _schedules.PiecewiseConstantDecay
learning_rate_schedule_polynomial_decay = _schedules.PolynomialDecay
