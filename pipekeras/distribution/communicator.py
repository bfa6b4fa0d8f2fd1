"""The MPI communicator of data-parallel training: broadcast, allreduce and gather, each with a watchdog.

Every collective waits for the other ranks at most `timeout` seconds. A rank that died is usually cleaned up by
`mpiexec` within a second (it stops the whole job); a rank that hangs (stopped, deadlocked, stuck in its own
code) is caught here: the waiting rank names the ranks it can see are gone or stopped (those on its own host),
prints the error and stops the job with `MPI_Abort`, since an exception on one rank would leave the others
waiting.
"""

import os
import pickle
import socket
import sys
import time

import numpy as np

from ..errors import ConfigError

_SPIN_SECONDS = 0.002  # how long a wait polls without sleeping (a step's allreduce usually ends within it)
_MAX_SLEEP = 0.005


def import_mpi():
    """Returns mpi4py's `MPI` module.

    Raises:
        ConfigError: when mpi4py (or an MPI library) is not installed, naming the extra to install.
    """
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ConfigError(
            "DataParallel: training over MPI needs mpi4py and an MPI library: pip install 'pipekeras[mpi]' "
            f"(mpi4py and the mpich wheel, which brings mpiexec). Import failed: {error}") from None
    return MPI


class Communicator:
    """The ranks of one data-parallel job (`MPI.COMM_WORLD` by default).

    Args:
        timeout: seconds a collective waits for the other ranks before the job is stopped.
        comm: an mpi4py communicator, or None for COMM_WORLD.

    Attributes:
        rank, size: this rank and the number of ranks.
        where: per rank, (host name, process id).
    """

    def __init__(self, timeout, comm=None):
        self.MPI = import_mpi()
        self.comm = comm if comm is not None else self.MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.timeout = float(timeout)
        self.where = []
        self.where = self.gather_objects((socket.gethostname(), os.getpid()), "the start of data parallelism")

    def allreduce(self, buffer, what):
        """Sums the contiguous array `buffer` over the ranks, in place (every rank receives the same sum)."""
        if self.size > 1:
            self._wait(self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, op=self.MPI.SUM), what)

    def broadcast(self, buffer, what):
        """Overwrites the contiguous array `buffer` with rank 0's, in place."""
        if self.size > 1:
            self._wait(self.comm.Ibcast(buffer, root=0), what)

    def broadcast_object(self, value, what):
        """Returns rank 0's `value` (any picklable object) on every rank."""
        return self.gather_objects(value if self.rank == 0 else None, what)[0]

    def gather_objects(self, value, what):
        """Returns the list of every rank's `value` (small picklable objects), on every rank."""
        if self.size == 1:
            return [value]
        data = np.frombuffer(pickle.dumps(value), np.uint8)
        lengths = np.zeros(self.size, np.int64)
        lengths[self.rank] = data.size
        self.allreduce(lengths, what)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        buffer = np.zeros(int(offsets[-1]), np.uint8)  # each rank fills its own part; the sum adds zeros elsewhere
        buffer[offsets[self.rank]:offsets[self.rank + 1]] = data
        self.allreduce(buffer, what)
        return [pickle.loads(buffer[offsets[r]:offsets[r + 1]].tobytes()) for r in range(self.size)]

    def _wait(self, request, what):
        start = time.monotonic()
        sleep = 0.0
        while True:
            if request.Test():
                return
            waited = time.monotonic() - start
            if waited > self.timeout:
                self.abort(self._timeout_message(what, waited))
            if waited > _SPIN_SECONDS:
                sleep = min(_MAX_SLEEP, sleep * 2 or 1e-5)
                time.sleep(sleep)

    def _timeout_message(self, what, waited):
        host = socket.gethostname()
        states = []
        for rank, (rank_host, pid) in enumerate(self.where):
            if rank == self.rank:
                continue
            state = _process_state(pid) if rank_host == host else "on another host, not checked"
            states.append(f"rank {rank} (pid {pid} on {rank_host}): {state}")
        return (f"DataParallel: rank {self.rank} waited {waited:.0f} s in {what} for the other ranks "
                f"(timeout={self.timeout:g} s); {'; '.join(states)}. A rank that died or hangs cannot be waited "
                "for, so every rank stops now (MPI_Abort). Look at that rank's output for its error; if steps are "
                "legitimately this slow, give DataParallel(timeout=...) a larger value.")

    def abort(self, message):
        """Prints `message` to stderr and stops every rank of the job."""
        print(message, file=sys.stderr, flush=True)
        self.comm.Abort(1)


def _process_state(pid):
    """How the process `pid` on this host stands: gone, stopped, a zombie, or running."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone (the process no longer exists)"
    except OSError:
        return "unknown"
    return {"T": "stopped (SIGSTOP?)", "t": "stopped by a debugger", "Z": "exited (zombie)",
            "D": "blocked in the kernel"}.get(state, "running, but not in this collective")

