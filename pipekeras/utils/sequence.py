"""Sequence (PyDataset): a dataset of batches read by index, for fit, evaluate and predict."""


class Sequence:
    """Base class of a dataset whose batches are read by index, possibly in parallel.

    Subclasses implement `__len__` (the number of batches) and `__getitem__(index)` (the batch `index`: `x`,
    `(x, y)` or `(x, y, sample_weight)`), and may implement `on_epoch_end` (called after each epoch, e.g. to
    shuffle). fit, evaluate and predict read the batches in order, `workers` at a time, up to
    `max_queue_size` ahead of the step computing.

    Args:
        workers: how many threads (or processes) read batches at the same time.
        use_multiprocessing: read batches in worker processes (forked, so the dataset need not be picklable)
            instead of threads; worth it when `__getitem__` is Python code that holds the GIL.
        max_queue_size: how many batches may be read ahead.

    Subclasses that do not call `super().__init__()` get one worker thread and a queue of 10 batches.
    """

    workers = 1
    use_multiprocessing = False
    max_queue_size = 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches).")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning batch index.")

    def __iter__(self):
        """Yields the batches in order (one epoch)."""
        for index in range(len(self)):
            yield self[index]

    def on_epoch_end(self):
        """Called after every epoch (override to shuffle or change the data)."""

    @property
    def num_batches(self):
        """The number of batches (`len(self)`)."""
        return len(self)


PyDataset = Sequence
