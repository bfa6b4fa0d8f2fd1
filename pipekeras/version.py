"""pipekeras's version, in its own module so that saving can record it without importing the package."""

__version__ = "0.1.0"
