"""Property tests: random valid pipes build, run and pass the gradient check; random invalid pipes fail
with the library's own error naming the layer (issue 10, "Reliability")."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipekeras as pk
from pipekeras.errors import PipeKerasError

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# Activations smooth enough (twice differentiable, also at 0 where zero biases put many entries) for a
# tight central-difference check.
SMOOTH = ["linear", "tanh", "sigmoid", "softplus", "gelu", "silu", "mish"]
# Every activation a random pipe may use when only finiteness is checked ("exponential" can overflow
# float32 legitimately after a few layers, so it is tested on its own in test_numerics.py).
ANY = SMOOTH + ["softsign", "elu", "relu", "relu6", "leaky_relu", "selu", "hard_sigmoid", "softmax"]


def conv_length(size, kernel, stride, padding, dilation=1):
    """Output length of a convolution or pooling window along one axis (Keras' formula)."""
    if padding == "same":
        return math.ceil(size / stride)
    return (size - dilation * (kernel - 1) - 1) // stride + 1


# ----- valid steps ---------------------------------------------------------------------------------
# Each generator draws the arguments of one pipe step for an input of (per-sample) `shape` and returns
# (constructor name, kwargs, output shape); `ranks` lists the per-sample ranks it can follow.

def follows(*ranks):
    def mark(generator):
        generator.ranks = ranks
        return generator
    return mark


@follows(1, 2, 3)
def dense_step(draw, shape, acts):
    units = draw(st.integers(1, 5))
    return "dense", dict(units=units, activation=draw(st.sampled_from(acts))), shape[:-1] + (units,)


@follows(1, 2, 3)
def activation_step(draw, shape, acts):
    return "activation", dict(activation=draw(st.sampled_from(acts))), shape


@follows(1, 2, 3)
def dropout_step(draw, shape, acts):
    return "dropout", dict(rate=draw(st.sampled_from([0.0, 0.25, 0.5]))), shape


@follows(1, 2, 3)
def batch_norm_step(draw, shape, acts):
    return "batch_normalization", dict(momentum=draw(st.sampled_from([0.9, 0.99]))), shape


@follows(1, 2, 3)
def layer_norm_step(draw, shape, acts):
    return "layer_normalization", dict(), shape


@follows(1, 2, 3)
def flatten_step(draw, shape, acts):
    return "flatten", dict(), (int(np.prod(shape)),)


@follows(1, 2, 3)
def reshape_step(draw, shape, acts):
    size = int(np.prod(shape))
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    first = draw(st.sampled_from(divisors))
    target = draw(st.sampled_from([(first, size // first), (first, -1), (size,)]))
    return "reshape", dict(target_shape=target), tuple(size // first if d == -1 else d for d in target)


@follows(1)
def repeat_vector_step(draw, shape, acts):
    n = draw(st.integers(1, 3))
    return "repeat_vector", dict(n=n), (n,) + shape


@follows(2, 3)
def conv_step(draw, shape, acts):
    rank = len(shape) - 1
    padding = draw(st.sampled_from(["valid", "same"]))
    strides = draw(st.integers(1, 2))
    dilation = draw(st.integers(1, 2)) if strides == 1 else 1
    kernel = []
    for size in shape[:-1]:
        largest = size if padding == "valid" else 3
        kernel.append(draw(st.integers(1, max(1, min(3, (largest - 1) // dilation + 1)))))
    out = tuple(conv_length(s, k, strides, padding, dilation) for s, k in zip(shape[:-1], kernel))
    filters = draw(st.integers(1, 3))
    kwargs = dict(filters=filters, kernel_size=tuple(kernel), strides=strides, padding=padding,
                  dilation_rate=dilation, activation=draw(st.sampled_from(acts)))
    return ("conv_1d" if rank == 1 else "conv_2d"), kwargs, out + (filters,)


@follows(3)
def conv_2d_transpose_step(draw, shape, acts):
    kernel = draw(st.integers(1, 3))
    strides = draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["valid", "same"]))
    filters = draw(st.integers(1, 3))
    if padding == "same":
        out = tuple(s * strides for s in shape[:2])
    else:
        out = tuple(s * strides + max(kernel - strides, 0) for s in shape[:2])
    return "conv_2d_transpose", dict(filters=filters, kernel_size=kernel, strides=strides, padding=padding,
                                     activation=draw(st.sampled_from(acts))), out + (filters,)


@follows(3)
def depthwise_step(draw, shape, acts):
    kernel = tuple(draw(st.integers(1, min(3, s))) for s in shape[:2])
    multiplier = draw(st.integers(1, 2))
    out = tuple(conv_length(s, k, 1, "valid") for s, k in zip(shape[:2], kernel))
    return "depthwise_conv_2d", dict(kernel_size=kernel, depth_multiplier=multiplier,
                                     activation=draw(st.sampled_from(acts))), out + (shape[2] * multiplier,)


@follows(3)
def separable_step(draw, shape, acts):
    kernel = tuple(draw(st.integers(1, min(3, s))) for s in shape[:2])
    filters = draw(st.integers(1, 3))
    out = tuple(conv_length(s, k, 1, "valid") for s, k in zip(shape[:2], kernel))
    return "separable_conv_2d", dict(filters=filters, kernel_size=kernel,
                                     activation=draw(st.sampled_from(acts))), out + (filters,)


@follows(2, 3)
def pooling_step(draw, shape, acts):
    rank = len(shape) - 1
    padding = draw(st.sampled_from(["valid", "same"]))
    pool = tuple(draw(st.integers(1, min(3, s) if padding == "valid" else 3)) for s in shape[:-1])
    strides = draw(st.sampled_from([None, 1, 2]))
    steps = pool if strides is None else (strides,) * rank
    out = tuple(conv_length(s, p, t, padding) for s, p, t in zip(shape[:-1], pool, steps))
    kind = draw(st.sampled_from(["max", "average"]))
    return f"{kind}_pooling_{rank}d", dict(pool_size=pool, strides=strides, padding=padding), out + shape[-1:]


@follows(2, 3)
def global_pooling_step(draw, shape, acts):
    rank = len(shape) - 1
    kind = draw(st.sampled_from(["max", "average"]))
    return f"global_{kind}_pooling_{rank}d", dict(), shape[-1:]


@follows(2, 3)
def up_sampling_step(draw, shape, acts):
    rank = len(shape) - 1
    size = draw(st.integers(1, 3))
    kwargs = dict(size=size)
    if rank == 2:
        kwargs["interpolation"] = draw(st.sampled_from(["nearest", "bilinear"]))
    return f"up_sampling_{rank}d", kwargs, tuple(s * size for s in shape[:-1]) + shape[-1:]


@follows(2, 3)
def zero_padding_step(draw, shape, acts):
    rank = len(shape) - 1
    pads = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(rank)]
    out = tuple(s + a + b for s, (a, b) in zip(shape[:-1], pads))
    return f"zero_padding_{rank}d", dict(padding=pads[0] if rank == 1 else tuple(pads)), out + shape[-1:]


@follows(2, 3)
def cropping_step(draw, shape, acts):
    rank = len(shape) - 1
    crops = []
    for size in shape[:-1]:
        before = draw(st.integers(0, size - 1))
        crops.append((before, draw(st.integers(0, size - 1 - before))))
    out = tuple(s - a - b for s, (a, b) in zip(shape[:-1], crops))
    return f"cropping_{rank}d", dict(cropping=crops[0] if rank == 1 else tuple(crops)), out + shape[-1:]


@follows(2, 3)
def spatial_dropout_step(draw, shape, acts):
    rank = len(shape) - 1
    return f"spatial_dropout_{rank}d", dict(rate=draw(st.sampled_from([0.0, 0.3]))), shape


@follows(2)
def recurrent_step(draw, shape, acts):
    units = draw(st.integers(1, 4))
    sequences = draw(st.booleans())
    kwargs = dict(units=units, return_sequences=sequences, go_backwards=draw(st.booleans()))
    kind = draw(st.sampled_from(["simple_rnn", "lstm", "gru"]))
    if kind != "simple_rnn":
        kwargs["recurrent_activation"] = draw(st.sampled_from(["sigmoid", "tanh"]))
    kwargs["activation"] = draw(st.sampled_from(["tanh", "sigmoid", "linear"]))
    return kind, kwargs, ((shape[0], units) if sequences else (units,))


@follows(2, 3)
def permute_step(draw, shape, acts):
    dims = tuple(draw(st.permutations(range(1, len(shape) + 1))))
    return "permute", dict(dims=dims), tuple(shape[d - 1] for d in dims)


STEPS = [dense_step, activation_step, dropout_step, batch_norm_step, layer_norm_step, flatten_step, reshape_step,
         repeat_vector_step, conv_step, conv_2d_transpose_step, depthwise_step, separable_step, pooling_step,
         global_pooling_step, up_sampling_step, zero_padding_step, cropping_step, spatial_dropout_step,
         recurrent_step, permute_step]


@st.composite
def input_shapes(draw, rank):
    """(per-sample shape, vocabulary size or None) of rank `rank`: vectors, sequences or token ids, images."""
    if rank == 1:
        return (draw(st.integers(1, 6)),), None
    if rank == 2:
        length = draw(st.integers(1, 5))
        if draw(st.booleans()):
            return (length,), draw(st.integers(2, 9))
        return (length, draw(st.integers(1, 3))), None
    return (draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 2))), None


@st.composite
def valid_pipes(draw, first, acts, max_steps=3, max_size=96):
    """A random valid pipe starting with a `first` step, then up to `max_steps` random ones.

    Returns (input shape, vocabulary or None, [(constructor, kwargs, output shape), ...]); token inputs start
    with an embedding.
    """
    input_shape, vocab = draw(input_shapes(draw(st.sampled_from(first.ranks))))
    shape, steps = input_shape, []
    if vocab is not None:
        dim = draw(st.integers(1, 3))
        shape = shape + (dim,)
        steps.append(("embedding", dict(input_dim=vocab, output_dim=dim), shape))
    for generator in [first] + [None] * draw(st.integers(0, max_steps)):
        generator = generator or draw(st.sampled_from([g for g in STEPS if len(shape) in g.ranks]))
        step = generator(draw, shape, acts)
        if np.prod(step[2]) <= max_size or not steps:  # skip steps that grow the model past max_size
            steps.append(step)
            shape = step[2]
    return input_shape, vocab, steps


def build(input_shape, steps):
    """Pipes the steps into a Sequential model; the first step gets `input_shape`."""
    model = pk.sequential()
    for i, (name, kwargs, _) in enumerate(steps):
        extra = dict(input_shape=input_shape) if i == 0 else {}
        model = model | getattr(pk, name)(**kwargs, **extra)
    return model


def sample_input(input_shape, vocab, batch, seed, dtype=np.float64):
    generator = np.random.default_rng(seed)
    if vocab is not None:
        return generator.integers(0, vocab, size=(batch,) + input_shape).astype(np.int32)
    return generator.standard_normal((batch,) + input_shape).astype(dtype)


def perturb_weights(model, seed):
    """Moves every trainable weight off its initial value, so zero biases and unit scales do not hide a
    wrong gradient and padded zeros do not tie with outputs for max pooling."""
    generator = np.random.default_rng(seed)
    for variable in model.trainable_weights:
        variable.assign(variable.value + 0.3 * generator.standard_normal(variable.shape))


def describe(input_shape, steps):
    return f"input {input_shape}: " + " | ".join(f"{name}({kwargs})" for name, kwargs, _ in steps)


# ----- valid pipes ---------------------------------------------------------------------------------

STEP_IDS = [g.__name__.removesuffix("_step") for g in STEPS]


@pytest.mark.parametrize("first", STEPS, ids=STEP_IDS)
@settings(max_examples=60, **SETTINGS)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_random_valid_pipe_builds_runs_and_passes_gradient_check(first, data, seed):
    input_shape, vocab, steps = data.draw(valid_pipes(first, SMOOTH))
    model = build(input_shape, steps)
    assert model.output_shape == (None,) + steps[-1][2], describe(input_shape, steps)
    x = sample_input(input_shape, vocab, 3, seed)
    out = model.predict(x)
    assert out.shape == (3,) + steps[-1][2]
    assert np.all(np.isfinite(out)), describe(input_shape, steps)
    perturb_weights(model, seed)
    result = pk.check_gradients(model, x, tolerance=1e-5, max_entries=12, seed=seed)
    assert result.ok, f"{describe(input_shape, steps)}\n{result}"


@pytest.mark.parametrize("first", STEPS, ids=STEP_IDS)
@settings(max_examples=40, **SETTINGS)
@given(data=st.data(), seed=st.integers(0, 2**16), optimizer=st.sampled_from(["sgd", "adam", "rmsprop"]))
def test_random_valid_pipe_trains_to_finite_weights(first, data, seed, optimizer):
    input_shape, vocab, steps = data.draw(valid_pipes(first, ANY, max_steps=4))
    model = build(input_shape, steps)
    model | pk.compile(optimizer=optimizer, loss="mse")
    x = sample_input(input_shape, vocab, 5, seed, np.float32)
    y = np.random.default_rng(seed).standard_normal((5,) + steps[-1][2]).astype(np.float32)
    history = model | pk.fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert all(np.isfinite(history.history["loss"])), describe(input_shape, steps)
    assert all(np.all(np.isfinite(w)) for w in model.get_weights()), describe(input_shape, steps)
    assert np.all(np.isfinite(model.predict(x))), describe(input_shape, steps)


# ----- invalid arguments ---------------------------------------------------------------------------

# Values that are not a positive integer: zero and negatives, fractions, NaN and infinities, strings,
# None, booleans and lists.
bad_counts = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not (v.is_integer() and v > 0)),
    st.text(max_size=3), st.none(), st.booleans(), st.lists(st.integers(1, 3), min_size=2, max_size=2),
)


def bad_windows(rank):
    """Not an int nor `rank` positive ints: bad counts, tuples of another length, tuples holding a bad count."""
    return st.one_of(
        bad_counts.filter(lambda v: not isinstance(v, list) or len(v) != rank),
        st.lists(st.integers(1, 3), min_size=rank + 1, max_size=rank + 2).map(tuple),
        st.tuples(*[st.integers(1, 3)] * (rank - 1), st.integers(max_value=0)),
    )


bad_rates = st.one_of(st.floats().filter(lambda v: not 0.0 <= v < 1.0), st.just(float("nan")),
                      st.text(max_size=3), st.none())
bad_names = st.text(min_size=1, max_size=8).filter(lambda v: v not in pk.activations.names())
bad_paddings = st.text(max_size=6).filter(lambda v: v.lower() not in ("valid", "same", "causal"))

# constructor -> (layer class, valid arguments, {argument: strategy of bad values}).
BAD_ARGUMENTS = {
    "dense": ("Dense", dict(units=3), dict(units=bad_counts, activation=bad_names,
                                           kernel_initializer=st.sampled_from(["glorot", "xavier", "he", ""]))),
    "activation": ("Activation", dict(activation="relu"), dict(activation=bad_names)),
    "dropout": ("Dropout", dict(rate=0.5), dict(rate=bad_rates)),
    "conv_1d": ("Conv1D", dict(filters=2, kernel_size=3),
                dict(filters=bad_counts, kernel_size=bad_windows(1), strides=bad_windows(1),
                     dilation_rate=bad_windows(1), padding=bad_paddings)),
    "conv_2d": ("Conv2D", dict(filters=2, kernel_size=3),
                dict(filters=bad_counts, kernel_size=bad_windows(2), strides=bad_windows(2),
                     padding=bad_paddings, activation=bad_names)),
    "conv_2d_transpose": ("Conv2DTranspose", dict(filters=2, kernel_size=3),
                          dict(filters=bad_counts, kernel_size=bad_windows(2))),
    "depthwise_conv_2d": ("DepthwiseConv2D", dict(kernel_size=3),
                          dict(kernel_size=bad_windows(2), depth_multiplier=bad_counts)),
    "separable_conv_2d": ("SeparableConv2D", dict(filters=2, kernel_size=3),
                          dict(filters=bad_counts, depth_multiplier=bad_counts)),
    "max_pooling_1d": ("MaxPooling1D", dict(), dict(pool_size=bad_windows(1), padding=bad_paddings)),
    "average_pooling_2d": ("AveragePooling2D", dict(),
                           dict(pool_size=bad_windows(2), strides=bad_windows(2).filter(lambda v: v is not None))),
    "up_sampling_1d": ("UpSampling1D", dict(), dict(size=bad_windows(1))),
    "up_sampling_2d": ("UpSampling2D", dict(), dict(size=bad_windows(2), interpolation=bad_paddings)),
    "zero_padding_2d": ("ZeroPadding2D", dict(), dict(padding=st.integers(max_value=-1))),
    "cropping_1d": ("Cropping1D", dict(), dict(cropping=st.tuples(st.integers(max_value=-1), st.integers(0, 2)))),
    "simple_rnn": ("SimpleRNN", dict(units=2), dict(units=bad_counts, activation=bad_names, dropout=bad_rates)),
    "lstm": ("LSTM", dict(units=2), dict(units=bad_counts, recurrent_activation=bad_names,
                                         recurrent_dropout=bad_rates)),
    "gru": ("GRU", dict(units=2), dict(units=bad_counts, dropout=bad_rates)),
    "embedding": ("Embedding", dict(input_dim=5, output_dim=2), dict(input_dim=bad_counts, output_dim=bad_counts)),
    "repeat_vector": ("RepeatVector", dict(n=2), dict(n=bad_counts)),
    "reshape": ("Reshape", dict(target_shape=(2, 2)),
                dict(target_shape=st.one_of(st.tuples(st.integers(max_value=-2), st.integers(1, 3)),
                                            st.just((-1, -1)), st.text(min_size=1, max_size=3), st.none(),
                                            st.tuples(st.floats(0.1, 3.0), st.integers(1, 3))))),
    "permute": ("Permute", dict(dims=(2, 1)),
                dict(dims=st.lists(st.integers(-1, 4), min_size=1, max_size=3).filter(
                    lambda v: sorted(v) != list(range(1, len(v) + 1))))),
    "batch_normalization": ("BatchNormalization", dict(),
                            dict(momentum=st.floats().filter(lambda v: not 0.0 <= v <= 1.0),
                                 epsilon=st.floats(max_value=0.0), axis=st.text(min_size=1, max_size=2))),
    "layer_normalization": ("LayerNormalization", dict(), dict(epsilon=st.floats(max_value=0.0))),
}


@settings(max_examples=1000, **SETTINGS)
@given(data=st.data(), constructor=st.sampled_from(sorted(BAD_ARGUMENTS)))
def test_bad_constructor_argument_raises_config_error_naming_the_layer(data, constructor):
    layer_class, valid, bad = BAD_ARGUMENTS[constructor]
    argument = data.draw(st.sampled_from(sorted(bad)), label="argument")
    value = data.draw(bad[argument], label="value")
    with pytest.raises(PipeKerasError) as caught:
        getattr(pk, constructor)(**{**valid, argument: value})
    assert layer_class in str(caught.value)


def test_bad_argument_error_names_the_layer_for_shared_lookups():
    # Regression: unknown activation/initializer/regularizer/constraint names did not say which layer.
    for make, expected in [(lambda: pk.dense(3, "relx"), "Dense: Unknown activation 'relx'"),
                           (lambda: pk.lstm(3, recurrent_activation="sigmod"), "LSTM: Unknown activation"),
                           (lambda: pk.Conv2D(2, 3, kernel_initializer="glorot"), "Conv2D: Unknown initializer"),
                           (lambda: pk.dense(3, kernel_regularizer="l3"), "Dense: Unknown regularizer"),
                           (lambda: pk.embedding(5, 2, embeddings_constraint="maxnorm"),
                            "Embedding: Unknown constraint")]:
        with pytest.raises(pk.errors.ConfigError, match=expected):
            make()


@pytest.mark.parametrize("make", [lambda: pk.conv_2d(2, None), lambda: pk.max_pooling_2d("22"),
                                  lambda: pk.dense(float("nan")), lambda: pk.dense(float("inf")),
                                  lambda: pk.reshape(None), lambda: pk.reshape("ab"), lambda: pk.reshape((2.5, 2))])
def test_non_numeric_sizes_raise_config_error(make):
    # Regression: these raised TypeError, ValueError or OverflowError from int() and tuple().
    with pytest.raises(pk.errors.ConfigError):
        make()


@pytest.mark.parametrize("make", [lambda: pk.dense(10**13), lambda: pk.lstm(10**12)])
def test_weight_too_large_for_memory_raises_config_error_naming_the_layer(make):
    # Regression: a MemoryError from NumPy that did not say which layer or argument.
    layer = make()
    with pytest.raises(pk.errors.ConfigError, match=f"{layer.name}.*does not fit in memory"):
        pk.sequential() | pk.activation("linear", input_shape=(3, 2)) | layer


# ----- steps that cannot follow the pipe so far ----------------------------------------------------

# constructor -> (per-sample rank it needs, arguments that are valid for some input of that rank)
NEEDS_RANK = {
    "conv_1d": (2, dict(filters=2, kernel_size=1)), "conv_2d": (3, dict(filters=2, kernel_size=1)),
    "conv_2d_transpose": (3, dict(filters=2, kernel_size=1)), "depthwise_conv_2d": (3, dict(kernel_size=1)),
    "separable_conv_2d": (3, dict(filters=2, kernel_size=1)), "max_pooling_1d": (2, dict(pool_size=1)),
    "average_pooling_2d": (3, dict(pool_size=1)), "global_max_pooling_1d": (2, dict()),
    "global_average_pooling_2d": (3, dict()), "up_sampling_1d": (2, dict()), "up_sampling_2d": (3, dict()),
    "zero_padding_1d": (2, dict()), "zero_padding_2d": (3, dict()), "cropping_1d": (2, dict(cropping=0)),
    "cropping_2d": (3, dict(cropping=0)), "spatial_dropout_1d": (2, dict(rate=0.1)),
    "spatial_dropout_2d": (3, dict(rate=0.1)), "simple_rnn": (2, dict(units=2)), "lstm": (2, dict(units=2)),
    "gru": (2, dict(units=2)), "repeat_vector": (1, dict(n=2)),
}


def wrong_rank_step(draw, shape):
    name = draw(st.sampled_from(sorted(n for n, (rank, _) in NEEDS_RANK.items() if rank != len(shape))))
    return name, NEEDS_RANK[name][1]


def window_too_large_step(draw, shape):
    """A convolution, pooling or cropping window larger than a spatial axis (padding 'valid')."""
    rank = len(shape) - 1
    if rank not in (1, 2):
        return wrong_rank_step(draw, shape)
    axis = draw(st.integers(0, rank - 1))
    window = tuple(draw(st.integers(shape[axis] + 1, shape[axis] + 3)) if i == axis else 1 for i in range(rank))
    kind = draw(st.sampled_from(["conv", "max_pooling", "average_pooling", "cropping"]))
    if kind == "conv":
        return f"conv_{rank}d", dict(filters=1, kernel_size=window)
    if kind == "cropping":
        crop = tuple((w - 1, 0) for w in window)
        return f"cropping_{rank}d", dict(cropping=crop[0] if rank == 1 else crop)
    return f"{kind}_{rank}d", dict(pool_size=window)


def reshape_mismatch_step(draw, shape):
    size = int(np.prod(shape))
    return "reshape", dict(target_shape=draw(st.sampled_from([(size + 1,), (size + 1, -1), (2, size)])))


def axis_out_of_range_step(draw, shape):
    axis = draw(st.sampled_from([len(shape) + 1, -len(shape) - 2]))
    return draw(st.sampled_from(["batch_normalization", "layer_normalization"])), dict(axis=axis)


def permute_wrong_length_step(draw, shape):
    return "permute", dict(dims=tuple(range(1, len(shape) + 2)))


MISFITS = [wrong_rank_step, window_too_large_step, reshape_mismatch_step, axis_out_of_range_step,
           permute_wrong_length_step]


@settings(max_examples=400, **SETTINGS)
@given(data=st.data(), first=st.sampled_from(STEPS), misfit=st.sampled_from(MISFITS))
def test_step_that_cannot_follow_raises_shape_error_naming_the_layer(data, first, misfit):
    input_shape, vocab, steps = data.draw(valid_pipes(first, ANY, max_steps=2), label="pipe")
    model = build(input_shape, steps)
    name, kwargs = misfit(data.draw, steps[-1][2])
    layer = getattr(pk, name)(**kwargs)
    with pytest.raises(PipeKerasError) as caught:
        model | layer
    message = str(caught.value)
    assert f"pipe step {len(steps) + 1} ({layer.name})" in message, message
    # The failed step leaves the model as it was: it still predicts with the steps it had.
    assert len(model.layers) == len(steps)
    assert model.predict(sample_input(input_shape, vocab, 2, 0, np.float32)).shape == (2,) + steps[-1][2]


@settings(max_examples=200, **SETTINGS)
@given(data=st.data(), first=st.sampled_from(STEPS))
def test_input_of_wrong_shape_raises_shape_error_naming_the_model(data, first):
    input_shape, vocab, steps = data.draw(valid_pipes(first, ANY, max_steps=2), label="pipe")
    model = build(input_shape, steps)
    change = data.draw(st.sampled_from(["drop axis", "extra axis", "bigger axis"]), label="change")
    shape = (3,) + input_shape
    if change == "drop axis":
        shape = shape[:-1]
    elif change == "extra axis":
        shape = shape + (2,)
    else:
        axis = data.draw(st.integers(1, len(shape) - 1), label="axis")
        shape = shape[:axis] + (shape[axis] + 1,) + shape[axis + 1:]
    with pytest.raises(pk.errors.ShapeError, match=f"Model '{model.name}'.*expects"):
        model.predict(np.zeros(shape, np.float32))
