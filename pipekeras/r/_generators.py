"""R keras 2's generator functions: `fit_generator`, `evaluate_generator`, `predict_generator`,
`generator_next`."""

import pipekeras as _pk
from ..pipe import function_step as _function_step
from ..training.sources import ReadOptions as _ReadOptions


def _batches(generator, max_queue_size, workers, use_multiprocessing=False):
    """A data source for fit/evaluate/predict from R keras 2's `generator`: a function returning one batch per
    call (R's idiom, `list(x, y)` in R), or a Python generator, iterable or `Sequence`."""
    if callable(generator) and not hasattr(generator, "__iter__") and not hasattr(generator, "__getitem__"):
        function = generator

        def calls():
            while True:
                yield function()

        generator = calls()
    return _ReadOptions(generator, workers=workers, use_multiprocessing=use_multiprocessing,
                        max_queue_size=max_queue_size)


def _fit_generator(object, generator, steps_per_epoch, epochs=1, verbose="auto", callbacks=None,
                   view_metrics=None, validation_data=None, validation_steps=None, class_weight=None,
                   max_queue_size=10, workers=1, initial_epoch=0, use_multiprocessing=False):
    """R keras 2's `fit_generator`: trains on batches from `generator` (`fit` with a data source).

    Args:
        object: the model.
        generator: a function returning one batch per call (`(x, y)` or `(x, y, sample_weight)`, R's
            `list(x, y)`), or a generator, iterable or `Sequence` of batches.
        steps_per_epoch: batches per epoch.
        validation_data: arrays `(x, y)`, or a generator (function) of validation batches.
        validation_steps: batches of a validation generator per epoch.
        max_queue_size: batches read ahead; workers: threads reading a `Sequence` (generators and functions
            are read by one thread); view_metrics: ignored (R's live plot in RStudio).

    Returns:
        The `History`.
    """
    if validation_data is not None and not isinstance(validation_data, (list, tuple)):
        validation_data = _batches(validation_data, max_queue_size, workers, use_multiprocessing)
    return object.fit(_batches(generator, max_queue_size, workers, use_multiprocessing),
                      steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose, callbacks=callbacks,
                      validation_data=validation_data, validation_steps=validation_steps,
                      class_weight=class_weight, initial_epoch=initial_epoch)


def _evaluate_generator(object, generator, steps, max_queue_size=10, workers=1, callbacks=None,
                        use_multiprocessing=False):
    """R keras 2's `evaluate_generator`: the loss and metrics over `steps` batches of `generator` (as in
    `fit_generator`; `callbacks` are not called, as `evaluate` calls none).

    Returns:
        A dict of loss and metrics (R's named list).
    """
    return object.evaluate(_batches(generator, max_queue_size, workers, use_multiprocessing), steps=steps,
                           verbose=0)


def _predict_generator(object, generator, steps, max_queue_size=10, workers=1, verbose=0, callbacks=None,
                       use_multiprocessing=False):
    """R keras 2's `predict_generator`: the outputs for `steps` batches of `generator` (batches of inputs, or
    `(x, y)` whose targets are ignored; `callbacks` are not called, as `predict` calls none).

    Returns:
        An array (a list for several outputs).
    """
    return object.predict(_batches(generator, max_queue_size, workers, use_multiprocessing), steps=steps)


fit_generator = _function_step("fit_generator", _fit_generator, applies_to=(_pk.Model,))
evaluate_generator = _function_step("evaluate_generator", _evaluate_generator, applies_to=(_pk.Model,))
predict_generator = _function_step("predict_generator", _predict_generator, applies_to=(_pk.Model,))


def generator_next(generator):
    """R keras 2's `generator_next`: the next batch of a generator or iterator."""
    return next(generator)
