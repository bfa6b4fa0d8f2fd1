"""Layer classes, one module per family."""

from .core import Activation, Dense, Dropout
from .merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from .reshaping import Flatten, Permute, RepeatVector, Reshape

__all__ = [
    "Activation", "Add", "Average", "Concatenate", "Dense", "Dot", "Dropout", "Flatten", "Maximum",
    "Minimum", "Multiply", "Permute", "RepeatVector", "Reshape", "Subtract",
]
