"""Reverse-mode automatic differentiation for `pipekeras.ops`.

Why a package of its own: the recording (a tape of ops and the reverse pass of their vector-Jacobian
products) is one mechanism shared by every op in `pipekeras.ops`, by `custom_gradient`, and later by the
built-in layers, which enter a recording as one op each with their fused backward (`record_op`). It
imports only NumPy and `pipekeras.errors`; `pipekeras.ops` builds on it and, when imported, hands Traced's
Python operators its functions (`traced.builders`), so neither package imports the other both ways.

- `traced.py`: `Traced`, the value type of a recording (a NumPy array and a number), and
  `ArrayOperators`, its Python operators and NumPy ufuncs through ops (for variables to inherit).
- `tape.py`: the recording itself: `apply` (the ops' way in), `record_op`, the reverse pass, and the hook
  for the library's variables (`register_variable_type`, `read_variable`).
- `gradient_tape.py`: `GradientTape` (Keras/TensorFlow style).
- `functional.py`: `grad`, `value_and_grad` (JAX style), `stop_gradient`, `custom_gradient`.
"""

from .functional import custom_gradient, grad, stop_gradient, value_and_grad
from .gradient_tape import GradientTape
from .tape import is_recording, read_variable, record_op, register_variable_type, suspended, value_of
from .traced import ArrayOperators, Traced

__all__ = ["ArrayOperators", "GradientTape", "Traced", "custom_gradient", "grad", "is_recording", "read_variable", "record_op",
           "register_variable_type", "stop_gradient", "suspended", "value_and_grad", "value_of"]
