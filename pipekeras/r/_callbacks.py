"""R's callbacks (`callback_*`) and `tensorboard()`."""

import importlib.util as _importlib_util
import os as _os
import subprocess as _subprocess
import sys as _sys

from .. import callbacks as _callbacks
from ..utils.plotting import MissingDependencyError as _MissingDependencyError


callback_early_stopping = _callbacks.EarlyStopping
callback_model_checkpoint = _callbacks.ModelCheckpoint
callback_reduce_lr_on_plateau = _callbacks.ReduceLROnPlateau
callback_learning_rate_scheduler = _callbacks.LearningRateScheduler
callback_csv_logger = _callbacks.CSVLogger
callback_terminate_on_naan = _callbacks.TerminateOnNaN  # R keras' spelling
callback_terminate_on_nan = _callbacks.TerminateOnNaN
callback_lambda = _callbacks.LambdaCallback
callback_progbar_logger = _callbacks.ProgbarLogger
callback_tensorboard = _callbacks.TensorBoard


def tensorboard(log_dir="logs", port=6006):
    """R's `tensorboard(log_dir)`: starts TensorBoard on the event files of `callback_tensorboard`.

    Args:
        log_dir: the folder given to `callback_tensorboard` (or one above several runs).
        port: the port TensorBoard serves on; open http://localhost:<port>.

    Returns:
        The running TensorBoard process (`subprocess.Popen`); `.terminate()` stops it.

    Raises:
        MissingDependencyError: TensorBoard is not installed (pip install tensorboard).
    """
    if _importlib_util.find_spec("tensorboard") is None:
        raise _MissingDependencyError("tensorboard: TensorBoard is not installed; pip install tensorboard, or run "
                                      f"it elsewhere on the event files in {_os.path.abspath(log_dir)!r}.")
    command = [_sys.executable, "-m", "tensorboard.main", "--logdir", _os.fspath(log_dir), "--port", str(port)]
    print(f"TensorBoard at http://localhost:{port}")
    return _subprocess.Popen(command)
