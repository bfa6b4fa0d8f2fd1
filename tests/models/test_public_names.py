"""The public names of `pipekeras` and `pipekeras.r`: written out in source (no `globals().update`), so
grep and editors find every constructor and R name, and the same as before they were written out.

A new layer, optimizer, loss or metric needs its names added here, in `pipekeras/__init__.py` and in the
module of `pipekeras/r/` for its kind; the tests below say which name is missing.
"""

import ast
import inspect
import types

import pytest

import pipekeras as pk
import pipekeras.r as r
from pipekeras import losses, metrics, optimizers
from pipekeras.layers import CONSTRUCTORS

PIPEKERAS_NAMES = set("""
    distribution tuning
    GradientTape Lambda custom_gradient lambda_layer ops
    applications
    AdditiveAttention Attention MultiHeadAttention TokenAndPositionEmbedding additive_attention attention
    multi_head_attention positional_embedding token_and_position_embedding
    CenterCrop RandomContrast RandomCrop RandomFlip RandomRotation RandomTranslation RandomZoom Rescaling Resizing
    rescaling resizing center_crop random_flip random_rotation random_zoom random_translation random_contrast random_crop
    CategoryEncoding Discretization Hashing IntegerLookup Normalization StringLookup
    category_encoding discretization hashing integer_lookup normalization string_lookup
    TextVectorization text_vectorization
    Conv3D MaxPooling3D AveragePooling3D GlobalMaxPooling3D GlobalAveragePooling3D conv_3d max_pooling_3d average_pooling_3d global_max_pooling_3d global_average_pooling_3d
    Activation Add Average AveragePooling1D AveragePooling2D BatchNormalization Bidirectional CONSTRUCTORS
    Callback Concatenate Conv1D Conv2D Conv2DTranspose Cropping1D Cropping2D Dense DepthwiseConv2D Dot Dropout
    Embedding Flatten GRU GlobalAveragePooling1D GlobalAveragePooling2D GlobalMaxPooling1D GlobalMaxPooling2D
    Masking masking
    ELU LeakyReLU PReLU ReLU Softmax ThresholdedReLU activation_elu activation_leaky_relu activation_parametric_relu
    activation_relu activation_softmax activation_thresholded_relu
    ActivityRegularization AlphaDropout Conv1DTranspose Conv3DTranspose Cropping3D GaussianDropout GaussianNoise GroupNormalization Identity SpatialDropout3D UnitNormalization UpSampling3D ZeroPadding3D activity_regularization alpha_dropout conv_1d_transpose conv_3d_transpose cropping_3d gaussian_dropout gaussian_noise group_normalization identity spatial_dropout_3d unit_normalization up_sampling_3d zero_padding_3d
    RNN SimpleRNNCell LSTMCell GRUCell StackedRNNCells rnn simple_rnn_cell lstm_cell gru_cell stacked_rnn_cells
    ConvLSTM2D conv_lstm_2d
    History Input InputSpec LSTM Layer LayerNormalization MaxPooling1D MaxPooling2D Maximum Minimum Model
    Multiply Permute RepeatVector Reshape SeparableConv2D Sequential SimpleRNN SpatialDropout1D SpatialDropout2D
    Subtract TimeDistributed UpSampling1D UpSampling2D ZeroPadding1D ZeroPadding2D activation activations add
    average average_pooling_1d average_pooling_2d backend batch_normalization bidirectional callbacks
    check_gradients clear_session clone_model compile concatenate constraints conv_1d conv_2d conv_2d_transpose
    cropping_1d cropping_2d datasets dense depthwise_conv_2d dot dropout embedding errors evaluate fit flatten
    floatx global_average_pooling_1d global_average_pooling_2d global_max_pooling_1d global_max_pooling_2d gru
    initializers layer_constructor layer_input layer_normalization layers load_model load_weights losses lstm
    max_pooling_1d max_pooling_2d maximum metrics minimum model_from_json model_to_json multiply optimizers
    permute plot plot_model predict predict_on_batch regularizers repeat_vector reshape save_model save_weights
    saving schedules separable_conv_2d sequential serialize_model set_floatx set_num_threads set_seed simple_rnn
    spatial_dropout_1d spatial_dropout_2d subtract summary test_on_batch time_distributed train_on_batch
    unserialize_model up_sampling_1d up_sampling_2d utils verb zero_padding_1d zero_padding_2d
""".split())

R_NAMES = set("""
    flags tuning_run
    layer_rnn layer_simple_rnn_cell layer_lstm_cell layer_gru_cell layer_stacked_rnn_cells layer_conv_lstm_2d
    rnn_cell_simple rnn_cell_lstm rnn_cell_gru rnn_cells_stack
    application_vgg16 application_vgg19 application_resnet50 application_resnet101 application_resnet152
    application_resnet50_v2 application_resnet101_v2 application_resnet152_v2 application_mobilenet
    application_mobilenet_v2 application_inception_v3 application_xception application_densenet121
    application_densenet169 application_densenet201 imagenet_preprocess_input imagenet_decode_predictions
    application_preprocess_inputs application_decode_predictions
    GradientTape k_abs k_all k_any k_arange k_argmax k_argmin k_binary_crossentropy k_cast
    k_categorical_crossentropy k_clip k_concatenate k_constant k_cos k_cumsum k_dot k_elu k_epsilon k_equal
    k_exp k_expand_dims k_flip k_gather k_greater k_greater_equal k_hard_sigmoid k_int_shape k_less k_less_equal
    k_log k_logsumexp k_max k_maximum k_mean k_conv k_conv_transpose k_depthwise_conv k_separable_conv k_min k_minimum k_not_equal k_one_hot k_ones k_ones_like k_pow
    k_prod k_random_normal k_random_uniform k_relu k_reshape k_shape k_sigmoid k_sign k_sin k_softmax k_softplus
    k_softsign k_sparse_categorical_crossentropy k_sqrt k_square k_squeeze k_stack k_std k_stop_gradient k_sum
    k_tanh k_tile k_transpose k_var k_zeros k_zeros_like layer_lambda new_layer_class new_model_class op_abs op_absolute op_add
    op_all op_any op_arange op_argmax op_argmin op_binary_crossentropy op_cast op_categorical_crossentropy
    op_categorical_hinge op_clip op_concatenate op_convert_to_numpy op_convert_to_tensor op_cos
    op_cosine_similarity op_cumsum op_custom_gradient op_divide op_dot op_dropout op_dropout_mask op_einsum
    op_elu op_equal op_erf op_exp op_expand_dims op_expm1 op_exponential op_eye op_flip op_full op_gelu
    op_get_item op_greater op_greater_equal op_hard_sigmoid op_hinge op_huber op_kl_divergence
    op_layer_normalization op_leaky_relu op_less op_less_equal op_linear op_log op_log1p op_log_cosh
    op_log_softmax op_logsumexp op_matmul op_max op_maximum op_mean op_mean_absolute_error
    op_mean_absolute_percentage_error op_mean_squared_error op_mean_squared_logarithmic_error op_min op_minimum
    op_mish op_moments op_average_pool op_conv op_conv_transpose op_depthwise_conv op_max_pool op_separable_conv op_multiply op_negative op_norm op_normal op_not_equal op_one_hot op_ones op_ones_like
    op_pad op_poisson op_power op_prod op_relu op_relu6 op_repeat op_reshape op_rsqrt op_selu op_shape
    op_sigmoid op_sign op_silu op_sin op_slice op_softmax op_softplus op_softsign
    op_sparse_categorical_crossentropy op_split op_sqrt op_square op_squared_hinge op_squeeze op_stack op_std
    op_stop_gradient op_subtract op_sum op_swish op_take op_take_along_axis op_tanh op_tensordot op_tile
    op_top_k op_transpose op_uniform op_var op_where op_zeros op_zeros_like
    layer_rescaling layer_resizing layer_center_crop layer_random_flip layer_random_rotation layer_random_zoom layer_random_translation layer_random_contrast layer_random_crop
    layer_normalization layer_discretization layer_category_encoding layer_string_lookup layer_integer_lookup layer_hashing
    text_tokenizer fit_text_tokenizer texts_to_sequences texts_to_matrix sequences_to_matrix
    text_to_word_sequence save_text_tokenizer load_text_tokenizer text_dataset_from_directory
    image_data_generator flow_images_from_data flow_images_from_directory generator_next
    timeseries_dataset_from_array image_load image_to_array image_array_save image_dataset_from_directory
    layer_text_vectorization
    fit_generator evaluate_generator predict_generator
    callback_tensorboard tensorboard
    bidirectional time_distributed layer_activation_relu layer_activation_leaky_relu layer_activation_elu
    layer_activation_softmax named_list keras_array np_array
    get_input_mask_at get_output_mask_at reset_state pop_layer save_model save_model_tf save_model_hdf5 save_weights
    save_model_weights save_model_weights_hdf5 save_model_weights_tf load_weights load_model_weights load_model_weights_hdf5 load_model_weights_tf clone_model
    load_model load_model_hdf5 load_model_tf model_to_json model_from_json serialize_model unserialize_model save_model_config
    load_model_config predict_proba predict_classes layer_upsampling_1d layer_upsampling_2d keras_input optimizer_adam_w regularizer_l1
    regularizer_l2 regularizer_l1_l2 regularizer_orthogonal initializer_constant initializer_glorot_normal initializer_glorot_uniform initializer_he_normal initializer_he_uniform
    initializer_identity initializer_lecun_normal initializer_lecun_uniform initializer_ones initializer_orthogonal initializer_random_normal initializer_random_uniform initializer_truncated_normal
    initializer_variance_scaling initializer_zeros constraint_maxnorm constraint_minmaxnorm constraint_nonneg constraint_unitnorm activation_elu activation_exponential
    activation_gelu activation_hard_sigmoid activation_hard_silu activation_hard_swish activation_leaky_relu activation_linear activation_log_softmax activation_mish
    activation_relu activation_relu6 activation_selu activation_sigmoid activation_silu activation_softmax activation_softplus activation_softsign
    activation_tanh learning_rate_schedule_cosine_decay learning_rate_schedule_exponential_decay learning_rate_schedule_inverse_time_decay learning_rate_schedule_piecewise_constant_decay learning_rate_schedule_polynomial_decay set_random_seed use_session_with_seed
    clear_session k_clear_session config_floatx config_set_floatx config_epsilon k_argmax array_reshape get_file
    layer_conv_3d layer_max_pooling_3d layer_average_pooling_3d layer_global_max_pooling_3d layer_global_average_pooling_3d
    layer_masking
    layer_activation_parametric_relu layer_activation_thresholded_relu
    layer_conv_1d_transpose layer_conv_3d_transpose layer_up_sampling_3d layer_zero_padding_3d layer_cropping_3d layer_spatial_dropout_3d layer_group_normalization layer_unit_normalization layer_gaussian_noise layer_gaussian_dropout layer_alpha_dropout layer_activity_regularization layer_identity layer_upsampling_3d
    layer_multi_head_attention layer_attention layer_additive_attention layer_token_and_position_embedding
    layer_positional_embedding
    RList callback_csv_logger callback_early_stopping callback_lambda callback_learning_rate_scheduler
    callback_model_checkpoint callback_progbar_logger callback_reduce_lr_on_plateau callback_terminate_on_naan
    callback_terminate_on_nan compile count_params dataset_boston_housing dataset_cifar10 dataset_fashion_mnist
    dataset_imdb dataset_imdb_word_index dataset_mnist dataset_reuters dataset_reuters_word_index evaluate fit
    freeze_weights from_config get_config get_input_at get_input_shape_at get_layer get_output_at
    get_output_shape_at get_weights keras_model keras_model_sequential layer_activation layer_add layer_average
    layer_average_pooling_1d layer_average_pooling_2d layer_batch_normalization layer_bidirectional
    layer_concatenate layer_conv_1d layer_conv_2d layer_conv_2d_transpose layer_cropping_1d layer_cropping_2d
    layer_dense layer_depthwise_conv_2d layer_dot layer_dropout layer_embedding layer_flatten
    layer_global_average_pooling_1d layer_global_average_pooling_2d layer_global_max_pooling_1d
    layer_global_max_pooling_2d layer_gru layer_input layer_layer_normalization layer_lstm layer_max_pooling_1d
    layer_max_pooling_2d layer_maximum layer_minimum layer_multiply layer_permute layer_repeat_vector
    layer_reshape layer_separable_conv_2d layer_simple_rnn layer_spatial_dropout_1d layer_spatial_dropout_2d
    layer_subtract layer_time_distributed layer_up_sampling_1d layer_up_sampling_2d layer_zero_padding_1d
    layer_zero_padding_2d loss_binary_crossentropy loss_categorical_crossentropy loss_categorical_hinge
    loss_cosine_similarity loss_hinge loss_huber loss_huber_loss loss_kl_divergence loss_kld
    loss_kullback_leibler_divergence loss_log_cosh loss_logcosh loss_mae loss_mape loss_mean_absolute_error
    loss_mean_absolute_percentage_error loss_mean_squared_error loss_mean_squared_logarithmic_error loss_mse
    loss_msle loss_poisson loss_sparse_categorical_crossentropy loss_squared_hinge metric_auc
    metric_binary_accuracy metric_categorical_accuracy metric_mae metric_mape metric_mean_absolute_error
    metric_mean_absolute_percentage_error metric_mean_squared_error metric_mean_squared_logarithmic_error
    metric_mse metric_msle metric_precision metric_recall metric_rmse metric_root_mean_squared_error
    metric_sparse_categorical_accuracy metric_sparse_top_k_categorical_accuracy
    metric_top_k_categorical_accuracy multi_hot normalize optimizer_adadelta optimizer_adagrad optimizer_adam
    optimizer_adamax optimizer_adamw optimizer_nadam optimizer_rmsprop optimizer_sgd pad_sequences plot
    plot_history plot_model predict predict_on_batch reset_states set_weights summary test_on_batch
    to_categorical train_on_batch unfreeze_weights
""".split())

def _public(module):
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)}


def _bound_in_source(module):
    """Names the module's own source binds: assignments, defs, classes and named imports (no `*`)."""
    tree = ast.parse(inspect.getsource(module))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":  # `name == "x"`: imported on use
            names.update(c.value for compare in ast.walk(node) if isinstance(compare, ast.Compare)
                         for c in compare.comparators if isinstance(c, ast.Constant))
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            assert all(alias.name != "*" for alias in node.names), f"{module.__name__} has a star import"
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _r_modules():
    """pipekeras.r's modules: the package's `__init__` and the private modules it gathers."""
    return [r] + [module for name, module in sorted(vars(r).items())
                  if name.startswith("_") and isinstance(module, types.ModuleType)
                  and module.__name__.startswith("pipekeras.r.")]


@pytest.mark.parametrize("module", [pk, *_r_modules()], ids=lambda module: module.__name__)
def test_names_are_not_generated_at_run_time(module):
    updates = [node for node in ast.walk(ast.parse(inspect.getsource(module)))
               if isinstance(node, ast.Attribute) and node.attr == "update"
               and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "globals"]
    assert not updates, f"{module.__name__} fills its namespace with globals().update"


def test_every_name_in_all_is_written_out_in_source():
    missing = sorted(set(pk.__all__) - _bound_in_source(pk))
    assert not missing, f"pipekeras.__all__ names not bound in its source: {missing}"


def test_every_r_name_is_written_out_in_one_of_its_modules():
    """pipekeras/r/__init__.py gathers its modules' public names with star imports (and nothing else); each
    name is bound, by name, in one module's source."""
    init = ast.parse(inspect.getsource(r))
    gathered = {node.module for node in init.body if isinstance(node, ast.ImportFrom)
                and [alias.name for alias in node.names] == ["*"]}
    assert gathered == {module.__name__.rsplit(".", 1)[1] for module in _r_modules()[1:] if
                        module.__name__ != "pipekeras.r._common"}
    bound = set().union(*(_bound_in_source(module) for module in _r_modules()[1:]))
    bound |= {alias.asname or alias.name for node in init.body if isinstance(node, ast.ImportFrom)
              for alias in node.names if alias.name != "*"}
    missing = sorted(_public(r) - bound)
    assert not missing, f"pipekeras.r names not bound in its modules' source: {missing}"


def test_pipekeras_public_names_are_unchanged():
    assert set(pk.__all__) == PIPEKERAS_NAMES
    assert PIPEKERAS_NAMES <= set(dir(pk))


def test_r_public_names_are_unchanged():
    assert _public(r) == R_NAMES
    star = {}
    exec("from pipekeras.r import *", star)
    assert set(star) - {"__builtins__"} == R_NAMES


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_every_layer_has_a_constructor_and_an_r_name(name):
    constructor = getattr(pk, name)
    assert constructor.layer_class is CONSTRUCTORS[name]
    assert constructor.__name__ == name
    assert getattr(r, f"layer_{name}") is constructor


@pytest.mark.parametrize("kind, module", [("optimizer", optimizers), ("loss", losses), ("metric", metrics)])
def test_every_registered_name_has_an_r_name(kind, module):
    names = [name for name in module.names() if not (kind == "metric" and name in ("accuracy", "acc"))]
    missing = [f"{kind}_{name}" for name in names if not hasattr(r, f"{kind}_{name}")]
    assert not missing
    for name in names:
        alias = getattr(r, f"{kind}_{name}")
        assert alias.__name__ == f"{kind}_{name}"
        made = alias()
        assert type(made) is type(module.get(name)), name
