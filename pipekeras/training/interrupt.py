"""Ctrl-C during fit: no training step is ever cut in half.

The first Ctrl-C (SIGINT) asks fit to stop after the current step: fit then returns the `History` of the
epochs that completed, with `history.interrupted` set, and the model holds the weights of the last step that
ran. A second Ctrl-C aborts: `KeyboardInterrupt` leaves fit at once, except during a step (forward, backward,
optimizer update), where it is raised as soon as the step ends. Either way every weight, optimizer slot and
the iteration count are from the same step.

The signal handler only records the press. Printing from it could hit the stream that the progress bar is
writing to and fail with "RuntimeError: reentrant call"; fit says that it stopped once it has.
"""

import contextlib
import signal
import threading


class Interrupts:
    """The Ctrl-C presses seen by `deferred_interrupt`; `with interrupts:` marks one training step.

    Attributes:
        requested: True once Ctrl-C was pressed: the caller should stop after the current step.
    """

    def __init__(self):
        self.requested = False
        self._in_step = False
        self._abort = False

    def handle(self, signum, frame):
        """The SIGINT handler: the first press is a request, a later one aborts (after the step, in one)."""
        if not self.requested:
            self.requested = True
        elif self._in_step:
            self._abort = True
        else:
            raise KeyboardInterrupt

    def __enter__(self):
        self._in_step = True
        return self

    def __exit__(self, *exc_info):
        self._in_step = False
        if self._abort:
            self._abort = False
            raise KeyboardInterrupt
        return False


@contextlib.contextmanager
def deferred_interrupt():
    """Handles Ctrl-C inside the block as the module docstring says; yields the block's `Interrupts`.

    Only the main thread receives signals and can install a handler; elsewhere the block runs unguarded
    (Ctrl-C interrupts the main thread, not this one).
    """
    interrupts = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    previous = signal.signal(signal.SIGINT, interrupts.handle)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, previous)
