"""The one name lookup: layer classes, activations, losses, metrics, optimizers, initializers, regularizers,
constraints and learning rate schedules each keep a `Registry`.

Keras lets users name these by a snake_case string (`"glorot_uniform"`), by class name (`"GlorotUniform"`),
by a config dict (`{"class_name": ..., "config": {...}}`, as saved files hold), or pass an object.
"""

from .errors import ArgumentTypeError, unknown_name_error


class Registry:
    """Maps names to classes (or factories) of one kind of object.

    Args:
        kind: what the objects are, for error messages ("initializer").
        base: the class every object of this kind derives from (for `get`).
    """

    def __init__(self, kind, base=None):
        self.kind = kind
        self.base = base
        self._by_name = {}
        self._by_class_name = {}

    def register(self, *names):
        """Class decorator: registers a class under its class name and the given snake_case names."""

        def decorate(cls):
            self._by_class_name[cls.__name__] = cls
            for name in names:
                self._by_name[name] = cls
            return cls

        return decorate

    def add(self, value, *names):
        """Registers an object (an activation) or a factory under `names`; returns `value`."""
        for name in names:
            self._by_name[name] = value
        return value

    def names(self):
        """The snake_case names, sorted."""
        return sorted(self._by_name)

    def class_names(self):
        """The class names, sorted."""
        return sorted(self._by_class_name)

    def find(self, name, custom_objects=None):
        """Returns what is registered as `name` (snake_case or class name, or in `custom_objects`), or None."""
        return (custom_objects or {}).get(name) or self._by_name.get(name) or self._by_class_name.get(name)

    def lookup(self, name, custom_objects=None):
        """Returns what is registered as `name` (snake_case or class name).

        Raises:
            ConfigError: for an unknown name, with the closest valid one.
        """
        found = self.find(name, custom_objects)
        if found is None:
            raise unknown_name_error(self.kind, name, self.names())
        return found

    def get(self, identifier, custom_objects=None, **defaults):
        """Returns an object for a name, a config dict or an object; None stays None.

        Raises:
            ConfigError: for an unknown name.
            ArgumentTypeError: for anything else.
        """
        if identifier is None or isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            return self.lookup(identifier, custom_objects)(**defaults)
        if isinstance(identifier, dict) and "class_name" in identifier:
            cls = self.lookup(identifier["class_name"], custom_objects)
            return cls(**{**defaults, **identifier.get("config", {})})
        raise ArgumentTypeError(
            f"{self.kind}: expected a name such as {self.names()[0]!r}, a config dict or a "
            f"{self.base.__name__}, received {identifier!r}."
        )

    def serialize(self, obj):
        """Returns `{"class_name": ..., "config": ...}` for an object, None for None."""
        if obj is None:
            return None
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
