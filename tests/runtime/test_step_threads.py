"""runtime.step_threads: the thread count of a model's training steps, chosen from step times the tests give
(so nothing here depends on the machine's load); and training_step(owner) running steps on that count (the parallel
loops and splits as on all threads)."""

import gc

import numba
import numpy as np
import pytest

from pipekeras.runtime import threads, tuning
from pipekeras.runtime.step_threads import StepThreads

SETTINGS = dict(ADAPT_THREADS=1, ADAPT_WARMUP_STEPS=4, ADAPT_PROBE_STEPS=3, ADAPT_WINDOW_STEPS=4,
                ADAPT_SLOWDOWN=1.3, ADAPT_PROBE_END=1.1, ADAPT_MIN_PERIOD=8, ADAPT_MAX_PERIOD=32)
PROBE = 2 * (1 + 3)  # steps of a probe: one unmeasured and three measured on each count


@pytest.fixture(autouse=True)
def settings():
    with tuning.override(**SETTINGS):
        yield


def run(controller, steps, seconds):
    """Runs `steps` steps whose time on n threads is seconds(n); returns the counts they ran on."""
    counts = []
    for _ in range(steps):
        count = controller.next_count()
        controller.record(count, seconds(count))
        counts.append(count)
    return counts


def quiet(count):
    return 1.0 if count == 1 else 0.6


def loaded(count):
    return 1.0 if count == 1 else 3.0


def test_on_a_quiet_machine_all_threads_stay_after_a_probe_of_two_steps():
    controller = StepThreads(2)
    counts = run(controller, 4 + 2 + 200, quiet)
    assert counts[:4] == [2] * 4  # warm-up
    assert counts[4:6] == [1] * 2  # one unmeasured step, one measured: 1.0 s > 1.1 x 0.6 s ends the probe
    assert counts[6:] == [2] * 200  # the window medians never exceed the reference: no more probes
    assert controller.current == 2 and controller.probes == 1 and controller.reference == 0.6


def test_a_probe_that_does_not_end_early_times_both_counts():
    controller = StepThreads(2)
    counts = run(controller, 4 + PROBE, lambda count: 0.63 if count == 1 else 0.6)  # one thread within 1.1x
    assert counts[4:8] == [1] * 4 and counts[8:12] == [2] * 4  # the other count, then the current
    assert controller.current == 2 and controller.reference == 0.6


def test_a_probe_of_one_thread_a_little_slower_ends_after_its_first_measured_step():
    controller = StepThreads(2)
    counts = run(controller, 4 + 2 + 8, lambda count: 0.72 if count == 1 else 0.6)  # 1.2x: below ADAPT_SLOWDOWN
    assert counts[4:6] == [1] * 2 and counts[6:] == [2] * 8
    assert controller.current == 2 and controller.probes == 1


def test_beside_a_busy_core_one_thread_is_chosen():
    controller = StepThreads(2)
    counts = run(controller, 4 + PROBE + 8, loaded)
    assert controller.current == 1 and controller.switches == 1
    assert counts[-8:] == [1] * 8


def test_load_arriving_later_is_noticed_by_the_window_and_one_thread_chosen():
    controller = StepThreads(2)
    run(controller, 4 + PROBE + 16, quiet)
    assert controller.current == 2
    counts = run(controller, 16, loaded)  # the first full window after the period starts a probe
    assert counts[:2] == [2, 2] and counts[2:6] == [1] * 4 and counts[6:10] == [2] * 4  # the probe
    assert counts[10:] == [1] * 6 and controller.current == 1


def test_the_first_step_of_a_probe_of_one_thread_is_not_judged():
    controller = StepThreads(2)
    run(controller, 4, quiet)
    times = iter([50.0, 0.5, 0.5, 0.5, 0.7, 0.6, 0.6, 0.6])  # one thread compiles in its first step, then wins
    counts = run(controller, PROBE, lambda count: next(times))
    assert counts == [1] * 4 + [2] * 4 and controller.current == 1


def test_on_one_thread_all_threads_are_probed_every_period_and_taken_back_when_faster():
    controller = StepThreads(2)
    run(controller, 4 + PROBE, loaded)
    assert controller.current == 1 and controller.period == 8
    counts = run(controller, 8, loaded)
    assert counts == [1] * 8
    counts = run(controller, PROBE, loaded)  # still loaded: the probe of two threads ends after its first step
    assert counts[:2] == [2, 1] and controller.current == 1 and controller.period == 16
    run(controller, 16 + PROBE, quiet)  # the cores are free again
    assert controller.current == 2 and controller.period == 8


def test_the_period_doubles_up_to_its_maximum_while_probes_keep_the_count():
    controller = StepThreads(2)
    run(controller, 4 + PROBE, loaded)
    for period in (16, 32, 32):
        run(controller, controller.period + PROBE, loaded)
        assert controller.period == period and controller.current == 1


def test_a_slowdown_within_the_period_waits_for_it():
    controller = StepThreads(2)
    run(controller, 4 + PROBE, quiet)  # reference 0.6, period 16 (kept)
    counts = run(controller, 8, lambda count: 0.9)  # 1.5 x the reference, but before the period
    assert counts == [2] * 8 and controller.probes == 1


def test_unmeasured_first_steps_of_a_block_are_left_out():
    controller = StepThreads(2)
    run(controller, 4, loaded)
    times = iter([50.0, 1.0, 1.0, 1.0, 50.0, 3.0, 3.0, 3.0])  # compile / wake-up in each block's first step
    run(controller, PROBE, lambda count: next(times))
    assert controller.current == 1 and controller.reference == 1.0


def test_nothing_adapts_on_one_thread_or_when_switched_off():
    controller = StepThreads(1)
    assert run(controller, 50, loaded) == [1] * 50 and controller.probes == 0
    with tuning.override(ADAPT_THREADS=0):
        controller = StepThreads(2)
        assert run(controller, 50, loaded) == [2] * 50 and controller.probes == 0


def test_more_threads_win_ties():
    controller = StepThreads(2)
    run(controller, 4 + PROBE, lambda count: 1.0)
    assert controller.current == 2


class Owner:
    """Stands for a model's runner."""


def test_training_step_runs_the_owners_count_and_times_its_steps(monkeypatch):
    monkeypatch.setattr(threads, "_threads", 2)
    owner = Owner()
    controller = threads.step_threads_of(owner)
    assert threads.step_threads_of(owner) is controller
    seen = []
    for _ in range(4 + PROBE):
        with tuning.override(ADAPT_SLOWDOWN=1e9, ADAPT_PROBE_END=1e9), threads.training_step(owner):  # a full probe
            seen.append(threads.running_threads())
            assert threads.thread_count() == 2  # split as on all threads, whichever count runs it
            with threads.training_step(owner):  # re-entrant: the inner one neither counts nor times
                assert threads.running_threads() == seen[-1]
        assert threads.running_threads() == 2
    assert seen[:4] == [2] * 4 and seen[4:8] == [1] * 4 and seen[8:] == [2] * 4
    assert controller.probes == 1
    with threads.training_step():  # no owner: the configured count, nothing timed
        assert threads.running_threads() == 2
    monkeypatch.setattr(threads, "_threads", 3)
    assert threads.step_threads_of(owner).threads == 3  # set_num_threads changed the count: a new controller
    key = id(owner)
    del owner
    gc.collect()
    assert key not in threads._controllers


def _mark(out):
    for i in numba.prange(out.shape[0]):
        out[i] = 1.0


def test_a_one_thread_step_runs_the_parallel_loops_on_one_numba_thread(monkeypatch):
    monkeypatch.setattr(threads, "_threads", 2)
    loop = threads.parallel_loop(_mark)
    owner = Owner()
    controller = threads.step_threads_of(owner)
    controller.current, controller.reference = 1, 1.0  # as after a probe that chose one thread
    out = np.zeros(1)
    outside = numba.get_num_threads()
    with tuning.override(POOL_MIN_WORK=0, PARALLEL_MIN_WORK=0):
        with threads.training_step(owner):
            assert threads.running_threads() == 1 and numba.get_num_threads() == 1
            loop(1 << 30, out)  # above every threshold: the parallel copy, as on two threads (same numbers)
    assert numba.get_num_threads() == outside
    assert out[0] == 1.0
    assert loop.parallel.signatures and not loop.serial.signatures
