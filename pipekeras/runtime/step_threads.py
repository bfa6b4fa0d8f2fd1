"""How many threads a model's training steps use: all of them, or one when the cores are taken.

Split over two threads, a training step waits for its slower thread at every product and parallel loop.
When another process keeps one of the cores busy, the thread sharing that core runs only in the slices the
scheduler gives it, and the step waits a slice at each join: on two cores beside one busy loop the MNIST
MLP trained at a fraction of its one-thread speed (benchmarks/NOTES.md). One thread then is faster, and on
a quiet machine the threads are. So each model's steps are timed, cheaply (two clock reads a step), and
`StepThreads` chooses:

- After ADAPT_WARMUP_STEPS steps (the first compiles), a **probe**: ADAPT_PROBE_STEPS steps on the other
  count, then as many on the current one, each block after one unmeasured step (its first step may wake
  sleeping threads or find cold caches). The count whose median step is shorter is kept. A measured
  step on the other count that takes ADAPT_PROBE_END times the current count's recent median ends the probe
  at once, keeping the count: a probe of one thread on a quiet machine costs two steps, one of all threads
  beside busy cores one (its first step is judged too: only waking threads is in it).
- On all threads, the steps' median over windows of ADAPT_WINDOW_STEPS is watched: when it exceeds the
  reference (the kept count's median in the last probe, lowered by faster windows since) by the factor
  ADAPT_SLOWDOWN, the cores have become busier, and a probe follows.
- On one thread nothing shows when the cores become free again, so all threads are probed every period.
- The period since the last probe that a probe needs starts at ADAPT_MIN_PERIOD steps and doubles each
  time a probe keeps the count, up to ADAPT_MAX_PERIOD; a change of count sets it back.

The schedule depends on step counts only; what is measured chooses the count. Which count runs a step does
not change its numbers: its work is split as on the configured count (`threads.thread_count()`: products in
as many blocks, loops on their parallel copies, row splits in as many chunks, partial sums added in the same
order), and on one thread those chunks run in turn (`threads.training_step`), so runs of one seed are
bitwise identical whichever steps the policy ran on one thread. ADAPT_THREADS 0 (`PIPEKERAS_ADAPT_THREADS=0`)
turns the policy off. The controller is pure logic: `next_count()` before a step, `record(count, seconds)`
after it, so tests give it timings. It reads its settings from `tuning` per call.
"""

from . import tuning


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else 0.5 * (ordered[middle - 1] + ordered[middle])


class StepThreads:
    """The thread count of one model's training steps (see the module docstring).

    Args:
        threads: the configured count (`threads.set_num_threads`); with 1, or with ADAPT_THREADS 0, every
            step runs on it and nothing is probed.
    """

    def __init__(self, threads):
        self.threads = threads
        self.current = threads
        self.steps = 0  # steps recorded outside probes
        self.since_probe = 0
        self.period = tuning.get("ADAPT_MIN_PERIOD")
        self.reference = None  # median seconds of a step on `current`, None before the first probe
        self.recent = None  # median seconds of the current count's latest window of steps
        self.window = []
        self.plan = []  # the probe's remaining steps: (count, measured)
        self.samples = {}  # count -> seconds of the probe's measured steps
        self.probes = 0
        self.switches = 0

    def adapts(self):
        """Whether this controller may run steps on other than the configured count."""
        return self.threads > 1 and bool(tuning.get("ADAPT_THREADS"))

    def next_count(self):
        """The thread count of the next step."""
        if not self.adapts():
            return self.threads
        return self.plan[0][0] if self.plan else self.current

    def record(self, count, seconds):
        """Takes the wall time of a step that ran on `count` threads (the last `next_count()`)."""
        if not self.adapts():
            return
        if self.plan:
            self._probe_step(count, seconds)
            return
        self.steps += 1
        self.since_probe += 1
        self.window.append(seconds)
        if len(self.window) >= tuning.get("ADAPT_WINDOW_STEPS"):
            self.recent = _median(self.window)
            self.window = []
            if self.current == self.threads and self.reference is not None:
                if self.recent > self.reference * tuning.get("ADAPT_SLOWDOWN") and self.since_probe >= self.period:
                    self._start_probe()
                    return
                self.reference = min(self.reference, self.recent)
        if self.reference is None:
            if self.steps >= tuning.get("ADAPT_WARMUP_STEPS"):
                self._start_probe()
        elif self.current < self.threads and self.since_probe >= self.period:
            self._start_probe()

    def _start_probe(self):
        if self.window and self.recent is None:
            self.recent = _median(self.window)
        other = 1 if self.current == self.threads else self.threads
        steps = max(int(tuning.get("ADAPT_PROBE_STEPS")), 1)
        self.plan = ([(other, False)] + [(other, True)] * steps
                     + [(self.current, False)] + [(self.current, True)] * steps)
        self.samples = {}
        self.window = []

    def _probe_step(self, count, seconds):
        planned, measured = self.plan.pop(0)
        if measured and planned == count:
            self.samples.setdefault(count, []).append(seconds)
        # A step on the other count clearly slower than the current count's recent ones ends the probe. The
        # unmeasured first step counts only when probing all threads: only waking their threads (microseconds)
        # is in it, whereas one thread's first step may find its data in the other core's cache.
        judged = measured or count == self.threads
        if judged and count != self.current and self.recent is not None \
                and seconds > self.recent * tuning.get("ADAPT_PROBE_END"):
            self.plan = []
            self.samples = {}
        if not self.plan:
            self._decide()

    def _decide(self):
        self.probes += 1
        timed = {count: _median(seconds) for count, seconds in self.samples.items() if seconds}
        chosen = min(timed, key=lambda count: (timed[count], -count)) if timed else self.current
        if chosen == self.current:
            self.period = min(2 * self.period, tuning.get("ADAPT_MAX_PERIOD"))
        else:
            self.period = tuning.get("ADAPT_MIN_PERIOD")
            self.switches += 1
        self.current = chosen
        self.reference = timed.get(chosen, self.reference if self.reference is not None else self.recent)
        self.recent = self.reference
        self.since_probe = 0
        self.samples = {}
