"""Layer classes, one module per family."""

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .attention import AdditiveAttention, Attention, MultiHeadAttention, TokenAndPositionEmbedding
from .convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, DepthwiseConv2D,
                            SeparableConv2D)
from .core import Activation, Dense, Dropout
from .embedding import Embedding
from .lambda_layer import Lambda
from .masking import Masking
from .image_reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                              ZeroPadding2D, ZeroPadding3D)
from .merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .normalization import BatchNormalization, GroupNormalization, LayerNormalization, UnitNormalization
from .pass_through import ActivityRegularization, Identity
from .preprocessing import (CenterCrop, RandomContrast, RandomCrop, RandomFlip, RandomRotation, RandomTranslation,
                            RandomZoom, Rescaling, Resizing, CategoryEncoding, Discretization, Hashing, IntegerLookup, Normalization, StringLookup,
                            TextVectorization)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D,
                      GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                      GlobalMaxPooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .recurrent import GRU, LSTM, RNN, ConvLSTM2D, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells
from .reshaping import Flatten, Permute, RepeatVector, Reshape
from .spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from .wrappers import Bidirectional, TimeDistributed

# Pipe constructor name -> layer class, as R keras names them without the `layer_` prefix.
CONSTRUCTORS = {
    "dense": Dense, "activation": Activation, "dropout": Dropout,
    "flatten": Flatten, "reshape": Reshape, "permute": Permute, "repeat_vector": RepeatVector,
    "add": Add, "subtract": Subtract, "multiply": Multiply, "average": Average, "maximum": Maximum,
    "minimum": Minimum, "concatenate": Concatenate, "dot": Dot,
    "conv_1d": Conv1D, "conv_2d": Conv2D, "conv_3d": Conv3D, "conv_2d_transpose": Conv2DTranspose,
    "depthwise_conv_2d": DepthwiseConv2D, "separable_conv_2d": SeparableConv2D,
    "max_pooling_1d": MaxPooling1D, "max_pooling_2d": MaxPooling2D, "max_pooling_3d": MaxPooling3D,
    "average_pooling_1d": AveragePooling1D, "average_pooling_2d": AveragePooling2D,
    "average_pooling_3d": AveragePooling3D,
    "global_max_pooling_1d": GlobalMaxPooling1D, "global_max_pooling_2d": GlobalMaxPooling2D,
    "global_max_pooling_3d": GlobalMaxPooling3D,
    "global_average_pooling_1d": GlobalAveragePooling1D, "global_average_pooling_2d": GlobalAveragePooling2D,
    "global_average_pooling_3d": GlobalAveragePooling3D,
    "embedding": Embedding, "masking": Masking, "simple_rnn": SimpleRNN, "lstm": LSTM, "gru": GRU,
    "batch_normalization": BatchNormalization, "layer_normalization": LayerNormalization,
    "up_sampling_1d": UpSampling1D, "up_sampling_2d": UpSampling2D,
    "zero_padding_1d": ZeroPadding1D, "zero_padding_2d": ZeroPadding2D,
    "cropping_1d": Cropping1D, "cropping_2d": Cropping2D,
    "spatial_dropout_1d": SpatialDropout1D, "spatial_dropout_2d": SpatialDropout2D,
    "bidirectional": Bidirectional, "time_distributed": TimeDistributed,
    "text_vectorization": TextVectorization, "normalization": Normalization, "discretization": Discretization,
    "category_encoding": CategoryEncoding, "string_lookup": StringLookup, "integer_lookup": IntegerLookup,
    "hashing": Hashing,
    "rescaling": Rescaling,
    "resizing": Resizing,
    "center_crop": CenterCrop,
    "random_flip": RandomFlip,
    "random_rotation": RandomRotation,
    "random_zoom": RandomZoom,
    "random_translation": RandomTranslation,
    "random_contrast": RandomContrast,
    "random_crop": RandomCrop,
    # activation layers with arguments, R's layer_activation_*
    "activation_relu": ReLU, "activation_leaky_relu": LeakyReLU, "activation_elu": ELU,
    "activation_parametric_relu": PReLU, "activation_softmax": Softmax, "activation_thresholded_relu": ThresholdedReLU,
    # issue 20 item 5
    "conv_1d_transpose": Conv1DTranspose, "conv_3d_transpose": Conv3DTranspose, "up_sampling_3d": UpSampling3D,
    "zero_padding_3d": ZeroPadding3D, "cropping_3d": Cropping3D, "spatial_dropout_3d": SpatialDropout3D,
    "group_normalization": GroupNormalization, "unit_normalization": UnitNormalization,
    "gaussian_noise": GaussianNoise, "gaussian_dropout": GaussianDropout, "alpha_dropout": AlphaDropout,
    "activity_regularization": ActivityRegularization, "identity": Identity,
    # recurrent cells and the generic RNN (issue 20)
    "rnn": RNN, "simple_rnn_cell": SimpleRNNCell, "lstm_cell": LSTMCell, "gru_cell": GRUCell,
    "stacked_rnn_cells": StackedRNNCells, "conv_lstm_2d": ConvLSTM2D,
    # attention and transformer blocks (issue 20)
    "multi_head_attention": MultiHeadAttention, "attention": Attention, "additive_attention": AdditiveAttention,
    "token_and_position_embedding": TokenAndPositionEmbedding,
}

__all__ = sorted({cls.__name__ for cls in CONSTRUCTORS.values()}) + ["CONSTRUCTORS", "Lambda"]
