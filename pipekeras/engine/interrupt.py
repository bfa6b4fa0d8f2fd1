"""Ctrl-C during fit: finish the current step, then stop with a usable model and the history so far."""

import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred_interrupt():
    """Defers SIGINT inside the block; yields a function that says whether one arrived.

    Only the main thread can install signal handlers; elsewhere the block runs unguarded.
    """
    received = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def remember(signum, frame):
        if received:  # a second Ctrl-C means "stop now"
            raise KeyboardInterrupt
        received.append(signum)
        print("\nInterrupted: stopping after the current step (press Ctrl-C again to abort).")

    previous = signal.signal(signal.SIGINT, remember)
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, previous)
