"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3 semantics and weight layouts).

All three share `RNNBase`: the input projection for every timestep is one product, the recurrence runs in
one compiled loop (compute/recurrent.py), and backward through time returns the gate gradients of every step
so the weight gradients are again single products. With two or more threads (pk.set_num_threads), a large
batch's loops and products are split over threads by rows (compute/recurrent.py `run_loop`, `product`);
inference splits the whole blocked pass (`_infer`).

Weight layouts (as Keras): kernel (features, G*units), recurrent_kernel (units, G*units), bias (G*units,),
with G = 1 (SimpleRNN), 4 (LSTM, gates i, f, c, o), 3 (GRU, gates z, r, h; bias (2, 3*units) when
reset_after=True, the default, holding the input bias then the recurrent bias).
"""

import numpy as np

from ... import activations, backend
from ...engine.layer import InputSpec, Layer, is_recording, shape_str
from ...engine.weights import DeclaresWeights, Weight
from ...errors import ConfigError, ShapeError
from ...compute import recurrent as K
from ..validation import boolean, positive_int, rate_in_unit_interval
from .states import StateInputs


def _activation_code(layer_class, argument, identifier):
    activation = activations.get(identifier)
    if not isinstance(activation, activations.Elementwise):
        raise ConfigError(
            f"{layer_class}: {argument}={activation.name!r} is not supported by the compiled recurrent kernels; "
            f"use an elementwise activation such as 'tanh' or 'sigmoid' (Keras' defaults)."
        )
    return activation, activation.code


def _fast(array):
    """float32 runs tanh and sigmoid as vectorized rational approximations (error < 4e-7); float64 exactly."""
    return array.dtype == np.float32


class RNNBase(StateInputs, DeclaresWeights, Layer):
    """Shared machinery of SimpleRNN, LSTM and GRU (not used directly).

    Args:
        units: positive integer, size of the output and of the state.
        activation: activation of the output / candidate state ("tanh").
        use_bias: whether to add biases.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers ("glorot_uniform",
            "orthogonal", "zeros").
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the input features dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the previous state dropped in training (one mask per sequence).
        return_sequences: output the whole sequence (samples, timesteps, units) instead of the last output.
        return_state: also return the final state(s): [output, h] (LSTM: [output, h, c]).
        go_backwards: process the sequence backwards (and return the reversed sequence).
        stateful: keep the final states of a batch as the initial states of the next batch (needs a fixed
            batch size: batch_input_shape, or batch_size on the first layer). reset_states() zeroes them.
            An `initial_state` given to a call takes their place for that call.
        unroll: accepted for Keras compatibility; the compiled loop needs no unrolling.
        seed: optional seed for the dropout masks.

    Call arguments: `layer(x, initial_state=[h] or [h, c])` starts from the given states (symbolic tensors,
    e.g. an encoder's return_state outputs, or arrays; see states.py); the fused loops take them as their
    first states, and backward returns their gradients.
    """

    supports_masking = True
    uses_learning_phase = True
    _gates = 1
    state_names = ("h",)  # the states the layer carries from step to step (LSTM: h and c)
    _has_recurrent_activation = True
    declared_weights = (
        Weight("kernel", lambda layer, shape: (shape[-1], layer._gates * layer.units)),
        Weight("recurrent_kernel", lambda layer, shape: (layer.units, layer._gates * layer.units),
               argument="recurrent"),
        Weight("bias", lambda layer, shape: layer._bias_shape(), enabled="use_bias",
               build_initializer=lambda layer: layer._bias_initializer_for_build()),
    )

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.units = positive_int(cls, "units", units)
        self.activation, self._act = _activation_code(cls, "activation", activation)
        self.recurrent_activation, self._ract = _activation_code(cls, "recurrent_activation", recurrent_activation)
        self.use_bias = boolean(cls, "use_bias", use_bias)
        self.take_weight_arguments(locals())
        self.dropout = rate_in_unit_interval(cls, "dropout", dropout)
        self.recurrent_dropout = rate_in_unit_interval(cls, "recurrent_dropout", recurrent_dropout)
        self.return_sequences = boolean(cls, "return_sequences", return_sequences)
        self.return_state = boolean(cls, "return_state", return_state)
        self.go_backwards = boolean(cls, "go_backwards", go_backwards)
        self.stateful = boolean(cls, "stateful", stateful)
        self.unroll = boolean(cls, "unroll", unroll)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self.states = None
        self._state_batch = None
        self.input_spec = InputSpec(ndim=3)

    # ----- shapes -------------------------------------------------------------------------------

    def state_shapes(self, sequence_shape):
        return self.kept_state_shapes()

    def kept_state_shapes(self):
        return [(self.units,) for _ in self.state_names]

    def validate_input_shape(self, input_shape):
        input_shape = self.sequence_shape(input_shape)
        if input_shape[-1] is None:
            raise self.error(ShapeError, f"the features axis of the input must be known, received "
                                         f"{shape_str(input_shape)}.")
        if self.stateful and input_shape[0] is None:
            raise self.error(
                ConfigError,
                "stateful=True needs a fixed batch size, since the final states of one batch are the initial "
                f"states of the next; received input shape {shape_str(input_shape)}. Give the first layer "
                "batch_input_shape=(batch, timesteps, features) (or batch_size=), e.g. "
                f"{type(self).__name__.lower()}({self.units}, stateful=True, batch_input_shape=(32, 10, 8))."
            )

    def build(self, input_shape):
        input_shape = self.sequence_shape(input_shape)
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})
        if self.stateful:
            self._state_batch = input_shape[0]
            self.reset_states()

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer_for_build(self):
        return self.bias_initializer

    def compute_output_shape(self, input_shape):
        batch, steps = self.sequence_shape(input_shape)[:2]
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output] + [(batch, self.units) for _ in self.state_names]
        return output

    # ----- states -------------------------------------------------------------------------------

    def _initial_states(self, batch, dtype):
        if self.stateful:
            return self.stateful_states(batch, dtype)
        return [np.zeros((batch, self.units), dtype=dtype) for _ in self.state_names]

    def _given_states(self, given, batch, dtype):
        """The arrays of `initial_state` as the loops take them, checked against the batch."""
        states = [np.asarray(s) for s in given]
        self._check_state_shapes((batch, None, None), [s.shape for s in states])
        return [np.ascontiguousarray(s, dtype=dtype) for s in states]

    # ----- forward ------------------------------------------------------------------------------

    def _dropout_mask(self, shape, rate, dtype):
        generator = self._generator or backend.rng()
        keep = generator.random(shape, dtype=np.float64) >= rate
        return keep.astype(dtype) * np.asarray(1.0 / (1.0 - rate), dtype=dtype)

    def _prepare(self, inputs, training, mask):
        """Returns (x, x_tm, mask_tm, use_mask, dmask, rmask, use_rmask).

        x_tm is a time-major view of x, (steps, batch, features), reversed with go_backwards; dmask (batch,
        features) is the input dropout mask (or None), rmask (batch, units) the recurrent one.
        """
        dtype = self.kernel.value.dtype
        x = np.asarray(inputs, dtype=dtype)
        batch, steps, features = x.shape
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape != (batch, steps):
                raise self.error(
                    ShapeError,
                    f"the mask must have shape (samples, timesteps) = {(batch, steps)}, received {mask.shape}."
                )
            mask_tm = np.ascontiguousarray(mask.T.astype(np.uint8))
            if self.go_backwards:
                mask_tm = np.ascontiguousarray(mask_tm[::-1])
        else:
            mask_tm = np.ones((1, 1), dtype=np.uint8)
        x_tm = x.transpose(1, 0, 2)
        if self.go_backwards:
            x_tm = x_tm[::-1]
        dmask = None
        if training and self.dropout > 0:
            dmask = self._dropout_mask((batch, features), self.dropout, dtype)
        if training and self.recurrent_dropout > 0:
            rmask = self._dropout_mask((batch, self.units), self.recurrent_dropout, dtype)
        else:
            rmask = np.ones((1, 1), dtype=dtype)
        return x, x_tm, mask_tm, mask is not None, dmask, rmask, training and self.recurrent_dropout > 0

    def _project(self, x_tm, dmask):
        """Returns (x_flat, xproj): the (dropped-out) inputs as contiguous (steps * batch, features) rows, and
        x_t @ kernel + bias for every step, (steps, batch, gates * units), as one product."""
        steps, batch, features = x_tm.shape
        x_tm = np.ascontiguousarray(x_tm) if dmask is None else x_tm * dmask
        x_flat = x_tm.reshape(steps * batch, features)
        xproj = K.product(x_flat, self.kernel.value, self._input_bias() if self.use_bias else None)
        return x_flat, xproj.reshape(steps, batch, self._gates * self.units)

    def call(self, inputs, training=False, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        inputs, given = self.split_states(inputs)
        x, x_tm, mask_tm, use_mask, dmask, rmask, use_rmask = self._prepare(inputs, training, mask)
        if given is None:
            states0 = self._initial_states(x.shape[0], x.dtype)
        else:
            states0 = self._given_states(given, x.shape[0], x.dtype)
        if is_recording():
            x_flat, xproj = self._project(x_tm, dmask)
            h_seq, extra_states, saved = self._run(xproj, states0, rmask, use_rmask, mask_tm, use_mask)
            self.save_for_backward(x_flat, x.shape, h_seq, saved, rmask, use_rmask, dmask, mask_tm, use_mask,
                                   given is not None)
            h_steps, final = h_seq[1:], [h_seq[-1]] + extra_states
        else:
            h_steps, final = self._infer(x_tm, states0, mask_tm, use_mask, dmask, rmask, use_rmask)
        if self.stateful:
            self.states = [np.array(s, dtype=self.dtype) for s in final]
        if self.return_sequences:
            output = np.ascontiguousarray(h_steps.transpose(1, 0, 2))
        else:
            output = final[0].copy()
        if self.return_state:
            return [output] + [s.copy() for s in final]
        return output

    def _infer(self, x_tm, states, mask_tm, use_mask, dmask, rmask, use_rmask):
        """Runs the recurrence without keeping anything for backward; returns (h of every step or None, final
        states). A large batch is split over threads by rows (compute/recurrent.py `run_over_rows`), each
        thread running `_infer_rows` on its own rows from the first step to the last."""
        steps, batch, _ = x_tm.shape
        h_steps = np.empty((steps, batch, self.units), x_tm.dtype) if self.return_sequences else None
        final = [np.empty_like(s) for s in states]

        def infer_rows(lo, hi):
            rows = slice(lo, hi)
            last = self._infer_rows(x_tm[:, rows], [s[rows] for s in states],
                                    np.ascontiguousarray(mask_tm[:, rows]) if use_mask else mask_tm, use_mask,
                                    None if dmask is None else dmask[rows], rmask[rows] if use_rmask else rmask,
                                    use_rmask, None if h_steps is None else h_steps[:, rows])
            for f, s in zip(final, last):
                f[rows] = s

        K.run_over_rows(infer_rows, (steps, batch, self._gates * self.units))
        return h_steps, final

    def _infer_rows(self, x_tm, states, mask_tm, use_mask, dmask, rmask, use_rmask, h_steps):
        """`_infer` for some rows of the batch: writes h of every step into h_steps (unless None); returns the
        final states.

        The steps go in blocks (`K.inference_block_steps`) whose arrays stay in cache.
        """
        steps, batch, _ = x_tm.shape
        block = K.inference_block_steps(batch, self._gates * self.units, x_tm.dtype.itemsize)
        for start in range(0, steps, block):
            stop = min(start + block, steps)
            _, xproj = self._project(x_tm[start:stop], dmask)
            h_seq, extra_states, _ = self._run(xproj, states, rmask, use_rmask,
                                               mask_tm[start:stop] if use_mask else mask_tm, use_mask)
            if h_steps is not None:
                h_steps[start:stop] = h_seq[1:]
            states = [h_seq[-1]] + extra_states
        return states

    # ----- backward -----------------------------------------------------------------------------

    def backward(self, grad_output):
        x_flat, x_shape, h_seq, saved, rmask, use_rmask, dmask, mask_tm, use_mask, has_states = self.saved_tensors
        batch, steps, features = x_shape
        dtype = x_flat.dtype
        if self.return_state:
            grad_out, grad_states = grad_output[0], list(grad_output[1:])
        else:
            grad_out, grad_states = grad_output, [None] * len(self.state_names)
        dh_last = np.zeros((batch, self.units), dtype=dtype)
        if grad_states[0] is not None:
            dh_last += grad_states[0]
        if self.return_sequences:
            dy_seq = np.ascontiguousarray(np.asarray(grad_out, dtype=dtype).transpose(1, 0, 2))
        else:
            dh_last += grad_out
            dy_seq = np.zeros((1, batch, self.units), dtype=dtype)
        d_extra = [np.zeros((batch, self.units), dtype=dtype) if g is None else np.array(g, dtype=dtype)
                   for g in grad_states[1:]]  # copies: the kernels overwrite them (ending as gradients of states0)
        dgx, drec_rows, dbias = self._run_backward(h_seq, saved, rmask, use_rmask, mask_tm, use_mask, dy_seq,
                                                   self.return_sequences, dh_last, d_extra)
        width = self._gates * self.units
        dgx_flat = dgx.reshape(steps * batch, width)
        if self.trainable:
            if self.kernel.trainable:
                self.add_grad(self.kernel, K.product(x_flat.T, dgx_flat))
            if self.recurrent_kernel.trainable:
                self.add_grad(self.recurrent_kernel, drec_rows())
            if self.use_bias and self.bias.trainable:
                self.add_grad(self.bias, K.bias_gradient(dgx_flat) if dbias is None else dbias())
        if not self.input_grad_needed:
            return None
        dx_tm = K.product(dgx_flat, self.kernel.value.T).reshape(steps, batch, features)
        if dmask is not None:
            dx_tm *= dmask
        if self.go_backwards:
            dx_tm = dx_tm[::-1]
        dx = np.ascontiguousarray(dx_tm.transpose(1, 0, 2))
        # the loops leave the gradients of the first states in dh_last and d_extra
        return [dx, dh_last] + d_extra if has_states else dx

    def _h_in(self, h_seq, rmask, use_rmask):
        """The previous states as fed to the recurrent product, (T*B, units)."""
        h_prev = h_seq[:-1]
        if use_rmask:
            h_prev = h_prev * rmask
        return h_prev.reshape(-1, self.units)

    def _input_bias(self):
        return self.bias.value

    # ----- config -------------------------------------------------------------------------------

    def get_config(self):
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
        }
        if self._has_recurrent_activation:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config.update({
            "use_bias": self.use_bias,
            **self.weight_config(),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "seed": self.seed,
        })
        return config


class SimpleRNN(RNNBase):
    """Fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Input (samples, timesteps, features); output (samples, units), or (samples, timesteps, units) with
    return_sequences=True. See `RNNBase` for the arguments; activation may be any elementwise one.

    Example:
        >>> model = sequential() | embedding(10000, 32) | simple_rnn(32) | dense(1, "sigmoid")
    """

    _gates = 1
    state_names = ("h",)
    _has_recurrent_activation = False

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(units, activation, "sigmoid", use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, return_sequences, return_state, go_backwards, stateful, unroll, seed,
                         **kwargs)

    def _run(self, xproj, states0, rmask, use_rmask, mask_tm, use_mask):
        steps, batch, units = xproj.shape
        h_seq = np.empty((steps + 1, batch, units), dtype=xproj.dtype)
        pre = K.pre_activations(xproj.shape, xproj.dtype, self._act)
        K.run_loop(K.simple_rnn_forward, xproj.shape, xproj, self.recurrent_kernel.value, states0[0], rmask,
                   use_rmask, mask_tm, use_mask, self._act, _fast(xproj), h_seq, pre)
        return h_seq, [], pre

    def _run_backward(self, h_seq, saved, rmask, use_rmask, mask_tm, use_mask, dy_seq, has_seq, dh_last, d_extra):
        u_t = np.ascontiguousarray(self.recurrent_kernel.value.T)
        da = np.empty(h_seq[1:].shape, dtype=h_seq.dtype)
        K.run_loop(K.simple_rnn_backward, da.shape, h_seq, saved, u_t, rmask, use_rmask, mask_tm, use_mask,
                   self._act, dy_seq, has_seq, da, dh_last)
        rows = lambda: K.product(self._h_in(h_seq, rmask, use_rmask).T, da.reshape(-1, self.units))
        return da, rows, None


class LSTM(RNNBase):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997), Keras' gate order i, f, c, o.

    Input (samples, timesteps, features); output (samples, units), or (samples, timesteps, units) with
    return_sequences=True; with return_state=True, [output, h, c].

    Args:
        units: size of the output and of the states.
        unit_forget_bias: start the forget gate's bias at 1 (Jozefowicz et al., 2015), as Keras does.
        ...: see `RNNBase` (activation "tanh", recurrent_activation "sigmoid", dropout, stateful, ...).

    Example:
        >>> model = sequential() | embedding(10000, 32) | lstm(32) | dense(1, "sigmoid")
    """

    _gates = 4
    state_names = ("h", "c")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, return_sequences, return_state, go_backwards,
                         stateful, unroll, seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer_for_build(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):
            return np.concatenate([
                np.asarray(base((units,), dtype=dtype)),
                np.ones((units,), dtype=dtype),
                np.asarray(base((2 * units,), dtype=dtype)),
            ])

        return forget_bias_one

    def _run(self, xproj, states0, rmask, use_rmask, mask_tm, use_mask):
        steps, batch, width = xproj.shape
        h_seq = np.empty((steps + 1, batch, self.units), dtype=xproj.dtype)
        c_seq = np.empty((steps + 1, batch, self.units), dtype=xproj.dtype)
        tc_seq = np.empty((steps, batch, self.units), dtype=xproj.dtype)
        pre = K.pre_activations(xproj.shape, xproj.dtype, self._act, self._ract)
        K.run_loop(K.lstm_forward, xproj.shape, xproj, self.recurrent_kernel.value, states0[0], states0[1], rmask,
                   use_rmask, mask_tm, use_mask, self._act, self._ract, _fast(xproj), h_seq, c_seq, tc_seq, pre)
        return h_seq, [c_seq[steps]], (xproj, c_seq, tc_seq, pre)

    def _run_backward(self, h_seq, saved, rmask, use_rmask, mask_tm, use_mask, dy_seq, has_seq, dh_last, d_extra):
        gates, c_seq, tc_seq, pre = saved
        u_t = np.ascontiguousarray(self.recurrent_kernel.value.T)
        dgates = np.empty_like(gates)
        K.run_loop(K.lstm_backward, gates.shape, gates, c_seq, tc_seq, pre, u_t, rmask, use_rmask, mask_tm,
                   use_mask, self._act, self._ract, dy_seq, has_seq, dgates, dh_last, d_extra[0])
        rows = lambda: K.product(self._h_in(h_seq, rmask, use_rmask).T, dgates.reshape(-1, 4 * self.units))
        return dgates, rows, None

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRU(RNNBase):
    """Gated Recurrent Unit (Cho et al., 2014), Keras' gate order z, r, h.

    With reset_after=True (the default, as Keras 3 and cuDNN) the reset gate multiplies the recurrent
    projection, and the bias has shape (2, 3*units): input bias then recurrent bias. With reset_after=False
    the reset gate multiplies the previous state before its product, and the bias has shape (3*units,).

    Example:
        >>> model = sequential() | embedding(10000, 32) | gru(32) | dense(1, "sigmoid")
    """

    _gates = 3
    state_names = ("h",)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None,
                 reset_after=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, return_sequences, return_state, go_backwards,
                         stateful, unroll, seed, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias.value[0] if self.reset_after else self.bias.value

    def _run(self, xproj, states0, rmask, use_rmask, mask_tm, use_mask):
        steps, batch, width = xproj.shape
        u = self.units
        h_seq = np.empty((steps + 1, batch, u), dtype=xproj.dtype)
        aux = np.zeros((steps, batch, u), dtype=xproj.dtype)
        pre = K.pre_activations(xproj.shape, xproj.dtype, self._act, self._ract)
        U = self.recurrent_kernel.value
        if self.reset_after:
            rbias = self.bias.value[1] if self.use_bias else np.zeros(width, dtype=xproj.dtype)
            K.run_loop(K.gru_forward, xproj.shape, xproj, U, np.ascontiguousarray(rbias, dtype=xproj.dtype),
                         states0[0], rmask, use_rmask, mask_tm, use_mask, self._act, self._ract, _fast(xproj), h_seq,
                         aux, pre)
        else:
            K.run_loop(K.gru_forward_reset_before, xproj.shape, xproj, np.ascontiguousarray(U[:, :2 * u]),
                         np.ascontiguousarray(U[:, 2 * u:]), states0[0], rmask, use_rmask, mask_tm, use_mask,
                         self._act, self._ract, _fast(xproj), h_seq, aux, pre)
        return h_seq, [], (xproj, aux, pre)

    def _run_backward(self, h_seq, saved, rmask, use_rmask, mask_tm, use_mask, dy_seq, has_seq, dh_last, d_extra):
        gates, aux, pre = saved
        u = self.units
        U = self.recurrent_kernel.value
        dgx = np.empty_like(gates)
        if self.reset_after:
            dgr = np.empty_like(gates)
            K.run_loop(K.gru_backward, gates.shape, gates, h_seq, aux, pre, np.ascontiguousarray(U.T), rmask,
                       use_rmask, mask_tm, use_mask, self._act, self._ract, dy_seq, has_seq, dgx, dgr, dh_last)
            rows = lambda: K.product(self._h_in(h_seq, rmask, use_rmask).T, dgr.reshape(-1, 3 * u))
            bias = lambda: np.stack([K.bias_gradient(dgx.reshape(-1, 3 * u)),
                                     K.bias_gradient(dgr.reshape(-1, 3 * u))])
            return dgx, rows, bias
        K.run_loop(K.gru_backward_reset_before, gates.shape, gates, h_seq, pre, np.ascontiguousarray(U[:, :2 * u].T),
                     np.ascontiguousarray(U[:, 2 * u:].T), rmask, use_rmask, mask_tm, use_mask, self._act, self._ract,
                     dy_seq, has_seq, dgx, dh_last)

        def rows():
            flat = dgx.reshape(-1, 3 * u)
            h_in = self._h_in(h_seq, rmask, use_rmask)
            return np.concatenate([K.product(h_in.T, flat[:, :2 * u]),
                                   K.product(aux.reshape(-1, u).T, flat[:, 2 * u:])], axis=1)

        return dgx, rows, None

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config
