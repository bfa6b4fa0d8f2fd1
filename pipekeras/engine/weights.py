"""Weights declared once: a layer lists its weights, and the declarations do the rest.

A layer class lists `Weight` declarations in its `declared_weights` attribute and derives from
`DeclaresWeights`. The declarations then take the weights' constructor arguments
(`<argument>_initializer`, `_regularizer`, `_constraint`), create the weights in `build`, and give their
`get_config` entries, in Keras' order: initializers, regularizers, the activity regularizer, constraints,
then the initializers of non-trainable state (moving averages).

Example:
    >>> class Scale(DeclaresWeights, Layer):
    ...     declared_weights = (Weight("scale", lambda layer, shape: (shape[-1],)),)
    ...     def __init__(self, scale_initializer="ones", scale_regularizer=None, scale_constraint=None,
    ...                  activity_regularizer=None, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.take_weight_arguments(locals())
    ...     def build(self, input_shape):
    ...         super().build(input_shape)
    ...     def get_config(self):
    ...         return {**super().get_config(), **self.weight_config()}
"""

from .. import constraints, initializers, regularizers


class Weight:
    """The declaration of one weight of a layer class.

    Args:
        name: the weight's name, and the layer attribute that holds it (`"kernel"`).
        shape: function `(layer, input_shape) -> tuple` giving the weight's shape when the layer is built.
        argument: the prefix of its constructor arguments (default: `name`), e.g. `"depthwise"` for
            `depthwise_initializer` of the weight `depthwise_kernel`.
        state: True for non-trainable state (moving averages): only an initializer argument, no
            regularizer or constraint.
        enabled: name of the boolean layer attribute that switches the weight on (`"use_bias"`), or None.
        build_initializer: optional function `layer -> initializer` used in build instead of the argument
            (LSTM's forget-gate bias of one).
    """

    def __init__(self, name, shape, argument=None, state=False, enabled=None, build_initializer=None):
        self.name = name
        self.shape = shape
        self.argument = argument or name
        self.state = state
        self.enabled = enabled
        self.build_initializer = build_initializer

    def argument_names(self):
        """The constructor arguments this weight takes, in order."""
        kinds = ("initializer",) if self.state else ("initializer", "regularizer", "constraint")
        return tuple(f"{self.argument}_{kind}" for kind in kinds)


class DeclaresWeights:
    """Mixin for layers whose weights are listed in `declared_weights` (see the module docstring).

    Class attributes:
        declared_weights: the `Weight` declarations, in the order the weights are created.
        takes_activity_regularizer: whether the constructor takes `activity_regularizer`.
        weight_config_order: names of the weights in config order, when it differs from creation order
            (Keras' normalization layers list beta before gamma).
    """

    declared_weights = ()
    takes_activity_regularizer = True
    weight_config_order = None

    def take_weight_arguments(self, arguments):
        """Reads the weight arguments from `arguments` (the constructor's `locals()`) into attributes.

        Each weight's attribute starts as None until `build`.
        """
        for weight in self.declared_weights:
            setattr(self, weight.name, None)
            initializer = arguments[f"{weight.argument}_initializer"]
            setattr(self, f"{weight.argument}_initializer", initializers.get(initializer))
            if not weight.state:
                setattr(self, f"{weight.argument}_regularizer",
                        regularizers.get(arguments[f"{weight.argument}_regularizer"]))
                setattr(self, f"{weight.argument}_constraint",
                        constraints.get(arguments[f"{weight.argument}_constraint"]))
        if self.takes_activity_regularizer:
            self.activity_regularizer = regularizers.get(arguments["activity_regularizer"])

    def build(self, input_shape):
        """Creates the enabled declared weights for inputs of `input_shape`."""
        super().build(input_shape)
        for weight in self.declared_weights:
            if weight.enabled is not None and not getattr(self, weight.enabled):
                continue
            initializer = (weight.build_initializer(self) if weight.build_initializer is not None
                           else getattr(self, f"{weight.argument}_initializer"))
            regularizer = None if weight.state else getattr(self, f"{weight.argument}_regularizer")
            constraint = None if weight.state else getattr(self, f"{weight.argument}_constraint")
            setattr(self, weight.name, self.add_weight(weight.name, weight.shape(self, input_shape), initializer,
                                                       regularizer, constraint, trainable=not weight.state))

    def weight_config(self):
        """The config entries of the weight arguments, in Keras' order."""
        weights = self.declared_weights
        if self.weight_config_order is not None:
            by_name = {weight.name: weight for weight in weights}
            weights = [by_name[name] for name in self.weight_config_order if name in by_name]
        trained = [weight.argument for weight in weights if not weight.state]
        config = {f"{name}_initializer": initializers.serialize(getattr(self, f"{name}_initializer"))
                  for name in trained}
        config.update({f"{name}_regularizer": regularizers.serialize(getattr(self, f"{name}_regularizer"))
                       for name in trained})
        if self.takes_activity_regularizer:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        config.update({f"{name}_constraint": constraints.serialize(getattr(self, f"{name}_constraint"))
                       for name in trained})
        config.update({f"{weight.argument}_initializer": initializers.serialize(
            getattr(self, f"{weight.argument}_initializer")) for weight in weights if weight.state})
        return config
