"""Parsing untrusted HDF5 in other processes (safe mode): the caller's side.

The first safe load starts a server process (`hdf5_reader.py` run as a script by the same interpreter,
isolated from the user's environment variables and site directory, in a session of its own so that a
terminal's Ctrl-C does not reach it). It imports NumPy and h5py once; for each file it forks a parser that
limits its address space and CPU time before reading a byte of the file, parses, and writes the tree back
through a pipe. The server kills a parser still running after the time limit and reports how each parser
ended. Here every size in the reply is checked before anything is allocated, the whole exchange has a
deadline, and anything unexpected (a broken server, a Ctrl-C during a load) kills the server and its
parsers; the next load starts a new one. A process forked from this one starts its own server.

Loads from several threads take turns (one parser at a time).
"""

import atexit
import fcntl
import json
import math
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from . import hdf5_reader
from .hdf5_reader import REPLY_MAGIC, Group, Refused, read_tree

# A parser's limits, both growing with the file: address space (NumPy and h5py take about 300 MB of it) and
# wall-clock time (the CPU-time limit is the same plus a second).
CHILD_BASE_MEMORY = 768 << 20
CHILD_MEMORY_PER_BYTE = 4
CHILD_BASE_SECONDS = 30.0
CHILD_SECONDS_PER_BYTE = 1 / (20 << 20)
# The reply pipe's buffer (Linux's default largest for an unprivileged process).
PIPE_BYTES = 1 << 20
# How long past a parser's time limit the server may take to answer before it is taken for broken.
SERVER_SLACK_SECONDS = 30.0
# The server: `hdf5_reader.py` as a script, isolated from the user's environment (`-I`); its argument is
# the number of its end of the control socket.
CHILD_COMMAND = [sys.executable, "-I", os.path.abspath(hdf5_reader.__file__)]
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "HDF5_PLUGIN_PATH": os.devnull}


class _Server:
    """One server process and this process's end of its control socket."""

    def __init__(self, command):
        self.command = command
        self.owner = os.getpid()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                command + [str(theirs.fileno())], pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                env={**os.environ, **_CHILD_ENV})
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.control = ours

    def usable(self, command):
        return self.owner == os.getpid() and self.command == command and self.process.poll() is None

    def close(self, kill=False):
        """Ends the server: closing the socket lets it return; `kill` also ends its parsers at once."""
        if self.owner != os.getpid():
            return
        self.control.close()
        if kill:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=None if kill else 5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def parse(self, data, memory, seconds):
        """The reply header and body for `data`, and how the parser ended."""
        deadline = time.monotonic() + seconds + SERVER_SLACK_SECONDS
        with _data_file(data) as data_file:
            read_end, write_end = os.pipe()
            try:
                if hasattr(fcntl, "F_SETPIPE_SZ"):  # 1 MiB: 16 times fewer switches between parser and caller
                    try:
                        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
                    except OSError:  # above the system's pipe-max-size: keep the default
                        pass
                socket.send_fds(self.control, [json.dumps({"memory": memory, "seconds": seconds}).encode()],
                                [data_file.fileno(), write_end])
                os.close(write_end)
                write_end = None
                header, body = _read_reply(read_end, memory, deadline)
            finally:
                os.close(read_end)
                if write_end is not None:
                    os.close(write_end)
        if not select.select([self.control], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise TimeoutError("the parsing server did not answer")
        status = json.loads(self.control.recv(1 << 16) or b"null")
        if not isinstance(status, dict):
            raise ConnectionError("the parsing server ended")
        return header, body, status


def _data_file(data):
    """A file holding `data` for the parser to read: anonymous memory where the system has it."""
    if hasattr(os, "memfd_create"):
        file = open(os.memfd_create("pipekeras-hdf5", os.MFD_CLOEXEC), "w+b", buffering=0)
    else:
        file = tempfile.TemporaryFile(buffering=0)
    view = memoryview(data)
    while view.nbytes:
        view = view[file.write(view):]
    return file


def _read_into(fd, view, deadline):
    """Fills `view` from `fd`; False if the writer ended first. TimeoutError past `deadline`."""
    while view.nbytes:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise TimeoutError("the parser's reply did not come in time")
        count = os.readv(fd, [view])
        if count == 0:
            return False
        view = view[count:]
    return True


def _read_reply(fd, limit, deadline):
    """The reply's header (dict) and body (uint8 array), or (None, None) if the parser ended before it was
    complete; every size is checked against `limit` before it is allocated."""
    start = bytearray(12)
    if not _read_into(fd, memoryview(start), deadline) or start[:4] != REPLY_MAGIC:
        return None, None
    (length,) = struct.unpack("<Q", start[4:])
    if length > limit:
        return None, None
    text = bytearray(length)
    if not _read_into(fd, memoryview(text), deadline):
        return None, None
    try:
        header = json.loads(text)
        size = int(header.get("body", 0)) if isinstance(header, dict) else -1
    except (ValueError, TypeError):
        return None, None
    if not 0 <= size <= limit:
        return None, None
    body = np.empty(size, np.uint8)
    if not _read_into(fd, memoryview(body), deadline):
        return None, None
    return header, body


def _tree(header, body):
    """The Group tree a complete reply describes; ValueError if any part does not fit the body."""
    arrays = []
    for row in header["arrays"]:
        dtype = np.dtype(row["dtype"])
        start, nbytes, shape = int(row["offset"]), int(row["nbytes"]), [int(n) for n in row["shape"]]
        if dtype.kind not in "iuf" or min(shape, default=0) < 0 or start < 0 or start + nbytes > body.size or \
                math.prod(shape) * dtype.itemsize != nbytes:
            raise ValueError("an array does not fit the reply")
        arrays.append(body[start:start + nbytes].view(dtype).reshape(shape))

    def node(entry):
        members = {name: node(m["group"]) if "group" in m else arrays[m["array"]]
                   for name, m in entry["members"].items()}
        return Group(entry["name"], entry["attrs"], members)

    return node(header["tree"])


_servers = {}
_lock = threading.Lock()


def _server():
    server = _servers.get("server")
    if server is None or not server.usable(CHILD_COMMAND):
        if server is not None and server.owner == os.getpid():
            server.close(kill=True)
        server = _servers["server"] = _Server(list(CHILD_COMMAND))
    return server


def _forget_servers_after_fork():
    """In a forked copy of this process: the parent's server is not ours (its socket is closed here, which
    leaves the parent's open), and a lock another thread held at the fork is not held here."""
    global _lock
    _lock = threading.Lock()
    server = _servers.pop("server", None)
    if server is not None:
        server.control.close()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_servers_after_fork)


@atexit.register
def _close_servers():
    server = _servers.pop("server", None)
    if server is not None:
        server.close()


def read_hdf5(data, safe_mode=True):
    """The checked content of untrusted HDF5 bytes as a `Group` tree of attributes and NumPy arrays.

    Args:
        data: the file's bytes.
        safe_mode: parse in a separate process under a memory and time limit (see the module doc); False
            parses in this process, for files you trust.

    Returns:
        The root `Group`.

    Raises:
        Refused: the file uses a feature model files never need (the message says which and where).
        RuntimeError: the HDF5 library failed, crashed, ran out of its limits, or did not finish in time
            (message for the user).
    """
    if not safe_mode:
        try:
            return read_tree(data)
        except Refused:
            raise
        except (Exception, RecursionError) as error:  # noqa: BLE001 - h5py raises many types for bad bytes
            raise RuntimeError(f"not a readable HDF5 file ({type(error).__name__}: {error})") from None
    memory = CHILD_BASE_MEMORY + CHILD_MEMORY_PER_BYTE * len(data)
    seconds = CHILD_BASE_SECONDS + CHILD_SECONDS_PER_BYTE * len(data)
    with _lock:
        server = _server()
        try:
            header, body, status = server.parse(data, memory, seconds)
        except BaseException as error:  # noqa: BLE001 - a broken server or a Ctrl-C: end it and its parser
            _servers.pop("server", None)
            server.close(kill=True)
            if isinstance(error, (OSError, ValueError)):
                raise RuntimeError(f"the HDF5 parsing process failed ({type(error).__name__}: {error})") from None
            raise
    return _result(header, body, status, seconds, memory)


def _result(header, body, status, seconds, memory):
    kind = status.get("status")
    if kind == "timeout":
        raise RuntimeError(f"the HDF5 library did not finish reading it within {seconds:.0f} s (it loops on "
                           "corrupted bytes); the file is corrupted or hostile")
    if kind == "signal":
        name = signal.Signals(status["signal"]).name if status["signal"] in signal.valid_signals() else "?"
        raise RuntimeError(f"the HDF5 library crashed reading it (signal {status['signal']}, {name}); the file "
                           "is corrupted or hostile")
    if kind != "exit":
        raise RuntimeError(f"the HDF5 parsing process failed ({kind})")
    if header is None:
        raise RuntimeError(f"the HDF5 reader failed without a complete reply (exit status {status.get('code')}; "
                           "it may have run out of its memory limit)")
    if header.get("ok") is not True:
        if "refused" in header:
            raise Refused(str(header["refused"]))
        error = str(header.get("error"))[:2000]
        if error.startswith("MemoryError"):
            raise RuntimeError(f"reading it needs more than the parser's memory limit ({memory >> 20} MiB: "
                               f"{CHILD_BASE_MEMORY >> 20} MiB + {CHILD_MEMORY_PER_BYTE} x the file); the file is "
                               "corrupted or hostile, or load a file you trust with safe_mode=False")
        raise RuntimeError(f"not a readable HDF5 file ({error})")
    try:
        return _tree(header, body)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise RuntimeError(f"the HDF5 reader's reply was malformed ({error})") from None
