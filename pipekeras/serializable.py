"""Objects users register so that saved models can name them: custom layers, models, losses and the
functions of Lambda layers (Keras's `register_keras_serializable`).

A file names such an object by its registered name only; loading looks the name up here (or in the
`custom_objects` given to `load_model`) and never runs code from the file.
"""

from .errors import ArgumentTypeError, ConfigError

_OBJECTS = {}  # "package>name" and "name" -> object
_NAMES = {}  # id(object) -> "package>name"


def register_keras_serializable(package="Custom", name=None):
    """Decorator: registers a class or function under `"package>name"` so saved models can refer to it.

    Args:
        package: a prefix that keeps names of different packages apart.
        name: the name to register under (default: the object's `__name__`).

    Returns:
        A decorator that returns the object unchanged.

    Raises:
        ConfigError: the name is registered already for another object.

    Example:
        >>> @register_keras_serializable(package="vae")
        ... def sampling(args): ...
    """
    if not isinstance(package, str) or ">" in package:
        raise ArgumentTypeError(f"register_keras_serializable: package must be a string without '>', "
                                f"received {package!r}.")

    def decorator(obj):
        short = name or getattr(obj, "__name__", None)
        if not short:
            raise ArgumentTypeError("register_keras_serializable: give name= for an object without __name__.")
        full = f"{package}>{short}"
        known = _OBJECTS.get(full)
        if known is not None and getattr(known, "__qualname__", None) != getattr(obj, "__qualname__", None):
            raise ConfigError(f"register_keras_serializable: {full!r} is registered already for {known!r}.")
        _OBJECTS[full] = _OBJECTS[short] = obj
        _NAMES[id(obj)] = full
        return obj

    return decorator


def registered_name(obj):
    """Returns the name `obj` is registered under (`"package>name"`), or None."""
    return _NAMES.get(id(obj))


def get_registered_object(name, custom_objects=None):
    """Returns the object registered (or given in `custom_objects`) as `name`, or None.

    Args:
        name: `"package>name"` or the short name.
        custom_objects: an optional dict name -> object, looked up first.
    """
    custom_objects = custom_objects or {}
    short = name.split(">")[-1] if isinstance(name, str) else name
    return custom_objects.get(name) or custom_objects.get(short) or _OBJECTS.get(name)
