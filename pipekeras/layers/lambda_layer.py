"""Lambda: a layer from a function written with `pipekeras.ops` (differentiated through its recording)."""

from ..engine.layer import Layer
from ..errors import ArgumentTypeError, ConfigError
from ..serializable import get_registered_object, registered_name


class Lambda(Layer):
    """Wraps a function of arrays as a layer; it trains through the recording of its ops (no backward).

    Args:
        function: `function(inputs, **arguments)`, written with `pipekeras.ops`.
        output_shape: the output shape without the batch axis, or a function of the input shape; by default
            found by running the function on zeros.
        arguments: optional keyword arguments for the function.
        **kwargs: the base layer's arguments (name, input_shape, ...).

    Saving: the function is saved by its registered name (`pk.saving.register_keras_serializable`) only.

    Example:
        >>> sampling = lambda_layer(lambda z: z[0] + ops.exp(0.5 * z[1]) * ops.normal(ops.shape(z[0])))
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ArgumentTypeError(f"Lambda: function must be callable, received {type(function).__name__}.")
        self.function = function
        self.output_shape_given = output_shape
        self.arguments = dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        given = self.output_shape_given
        if given is None:
            return super().compute_output_shape(input_shape)
        if callable(given):
            return given(input_shape)
        batch = (input_shape[0] if isinstance(input_shape, list) else input_shape)[0]
        return (batch,) + tuple(given)

    def get_config(self):
        name = registered_name(self.function)
        if name is None:
            raise self.error(
                ConfigError,
                f"its function {getattr(self.function, '__name__', self.function)!r} is not registered, so it cannot "
                "be saved (pipekeras saves functions by name, never their code). Define it with def and decorate it "
                "with @pk.saving.register_keras_serializable().",
            )
        shape = self.output_shape_given
        if callable(shape):
            raise self.error(ConfigError, "an output_shape given as a function cannot be saved; give a tuple.")
        return {**super().get_config(), "function": name, "output_shape": None if shape is None else list(shape),
                "arguments": self.arguments}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = get_registered_object(config["function"], custom_objects)
        if function is None:
            raise ConfigError(
                f"Lambda layer {config.get('name')!r}: its function {config['function']!r} is not registered in this "
                "session. Define it and decorate it with @pk.saving.register_keras_serializable() before loading "
                "(or pass custom_objects={'name': function})."
            )
        config["function"] = function
        if config.get("output_shape") is not None:
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)
