"""R's layer names: `layer_<name>` for every pipekeras layer constructor `<name>`, and R's other spellings."""

import pipekeras as _pk


layer_activation = _pk.activation
layer_add = _pk.add
layer_average = _pk.average
layer_average_pooling_1d = _pk.average_pooling_1d
layer_average_pooling_2d = _pk.average_pooling_2d
layer_average_pooling_3d = _pk.average_pooling_3d
layer_batch_normalization = _pk.batch_normalization
layer_bidirectional = _pk.bidirectional
layer_concatenate = _pk.concatenate
layer_conv_1d = _pk.conv_1d
layer_conv_2d = _pk.conv_2d
layer_conv_3d = _pk.conv_3d
layer_conv_2d_transpose = _pk.conv_2d_transpose
layer_cropping_1d = _pk.cropping_1d
layer_cropping_2d = _pk.cropping_2d
layer_dense = _pk.dense
layer_depthwise_conv_2d = _pk.depthwise_conv_2d
layer_dot = _pk.dot
layer_dropout = _pk.dropout
layer_embedding = _pk.embedding
layer_masking = _pk.masking
layer_multi_head_attention = _pk.multi_head_attention
layer_attention = _pk.attention
layer_additive_attention = _pk.additive_attention
layer_token_and_position_embedding = _pk.token_and_position_embedding
layer_positional_embedding = _pk.positional_embedding
layer_flatten = _pk.flatten
layer_global_average_pooling_1d = _pk.global_average_pooling_1d
layer_global_average_pooling_2d = _pk.global_average_pooling_2d
layer_global_average_pooling_3d = _pk.global_average_pooling_3d
layer_global_max_pooling_1d = _pk.global_max_pooling_1d
layer_global_max_pooling_2d = _pk.global_max_pooling_2d
layer_global_max_pooling_3d = _pk.global_max_pooling_3d
layer_gru = _pk.gru
layer_layer_normalization = _pk.layer_normalization
layer_lstm = _pk.lstm
layer_max_pooling_1d = _pk.max_pooling_1d
layer_max_pooling_2d = _pk.max_pooling_2d
layer_max_pooling_3d = _pk.max_pooling_3d
layer_maximum = _pk.maximum
layer_minimum = _pk.minimum
layer_multiply = _pk.multiply
layer_permute = _pk.permute
layer_repeat_vector = _pk.repeat_vector
layer_reshape = _pk.reshape
layer_separable_conv_2d = _pk.separable_conv_2d
layer_simple_rnn = _pk.simple_rnn
layer_rnn = _pk.rnn
layer_simple_rnn_cell = _pk.simple_rnn_cell
layer_lstm_cell = _pk.lstm_cell
layer_gru_cell = _pk.gru_cell
layer_stacked_rnn_cells = _pk.stacked_rnn_cells
layer_conv_lstm_2d = _pk.conv_lstm_2d
layer_spatial_dropout_1d = _pk.spatial_dropout_1d
layer_spatial_dropout_2d = _pk.spatial_dropout_2d
layer_subtract = _pk.subtract
layer_time_distributed = _pk.time_distributed
layer_text_vectorization = _pk.text_vectorization
layer_normalization = _pk.normalization  # the preprocessing layer, as in R keras 3
layer_discretization = _pk.discretization
layer_category_encoding = _pk.category_encoding
layer_string_lookup = _pk.string_lookup
layer_integer_lookup = _pk.integer_lookup
layer_hashing = _pk.hashing
layer_rescaling = _pk.rescaling
layer_resizing = _pk.resizing
layer_center_crop = _pk.center_crop
layer_random_flip = _pk.random_flip
layer_random_rotation = _pk.random_rotation
layer_random_zoom = _pk.random_zoom
layer_random_translation = _pk.random_translation
layer_random_contrast = _pk.random_contrast
layer_random_crop = _pk.random_crop
layer_up_sampling_1d = _pk.up_sampling_1d
layer_up_sampling_2d = _pk.up_sampling_2d
layer_zero_padding_1d = _pk.zero_padding_1d
layer_zero_padding_2d = _pk.zero_padding_2d
# activation layers with arguments (R keras's layer_activation_*)
layer_activation_relu = _pk.activation_relu
layer_activation_leaky_relu = _pk.activation_leaky_relu
layer_activation_elu = _pk.activation_elu
layer_activation_parametric_relu = _pk.activation_parametric_relu
layer_activation_softmax = _pk.activation_softmax
layer_activation_thresholded_relu = _pk.activation_thresholded_relu
# issue 20 item 5
layer_conv_1d_transpose = _pk.conv_1d_transpose
layer_conv_3d_transpose = _pk.conv_3d_transpose
layer_up_sampling_3d = _pk.up_sampling_3d
layer_zero_padding_3d = _pk.zero_padding_3d
layer_cropping_3d = _pk.cropping_3d
layer_spatial_dropout_3d = _pk.spatial_dropout_3d
layer_group_normalization = _pk.group_normalization
layer_unit_normalization = _pk.unit_normalization
layer_gaussian_noise = _pk.gaussian_noise
layer_gaussian_dropout = _pk.gaussian_dropout
layer_alpha_dropout = _pk.alpha_dropout
layer_activity_regularization = _pk.activity_regularization
layer_identity = _pk.identity


layer_lambda = _pk.lambda_layer


# R's spellings
layer_upsampling_1d = _pk.up_sampling_1d
layer_upsampling_2d = _pk.up_sampling_2d
layer_upsampling_3d = _pk.up_sampling_3d
bidirectional = _pk.bidirectional  # R keras 2 exports these two without the layer_ prefix too
time_distributed = _pk.time_distributed


# keras3's names of the recurrent cells (the same constructors as layer_*_cell)
rnn_cell_simple = _pk.simple_rnn_cell
rnn_cell_lstm = _pk.lstm_cell
rnn_cell_gru = _pk.gru_cell
rnn_cells_stack = _pk.stacked_rnn_cells
