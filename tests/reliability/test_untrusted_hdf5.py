"""Hostile HDF5 files: each is refused before any byte of what it points at is read, in both safe modes.

Every file is a real Keras 3 `.weights.h5` (or `.keras`) whose first kernel was replaced with h5py by one
hostile construct. Targets that would block (a FIFO nobody writes) or never end (/dev/zero) make a reader
that follows them hang, so those loads run in a subprocess with a timeout.
"""

import os
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import SavingError

h5py = pytest.importorskip("h5py")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KERNEL = "layers/dense/vars/0"


def small_model():
    return pk.sequential(name="small") | pk.dense(4, input_shape=(3,), name="d")


def weights_file(tmp_path, replace_kernel, name="hostile.weights.h5"):
    """A Keras 3 weights file of `small_model` whose kernel dataset `replace_kernel(file, path)` recreates."""
    path = str(tmp_path / name)
    small_model().save_weights(path)
    with h5py.File(path, "a") as file:
        del file[KERNEL]
        replace_kernel(file, KERNEL)
    return path


def external_storage(target, size):
    return lambda file, at: file.create_dataset(at, shape=(3, 4), dtype="float32", external=[(target, 0, size)])


def load_in_subprocess(path, safe_mode, timeout=60):
    """Runs load_weights in a fresh interpreter; returns (exit code, output)."""
    code = textwrap.dedent(f"""
        import pipekeras as pk
        from pipekeras.errors import SavingError
        model = pk.sequential() | pk.dense(4, input_shape=(3,))
        try:
            model.load_weights({path!r}, safe_mode={safe_mode})
        except SavingError as error:
            print("SavingError:", error)
        else:
            print("LOADED")
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            timeout=timeout)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"TOKEN=0123456789abcdef" + b"x" * 26)  # 48 bytes: exactly a (3, 4) float32 kernel
    return str(path)


@pytest.mark.parametrize("safe_mode", [True, False])
def test_external_storage_over_a_local_file_is_refused(tmp_path, secret, safe_mode):
    path = weights_file(tmp_path, external_storage(secret, 48))
    model = small_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(SavingError, match="external file") as info:
        model.load_weights(path, safe_mode=safe_mode)
    assert "secret.txt" in str(info.value) and KERNEL in str(info.value)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_external_storage_with_a_relative_path_is_refused(tmp_path, secret, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = weights_file(tmp_path, external_storage("secret.txt", 48))
    with pytest.raises(SavingError, match="external file"):
        small_model().load_weights(path)


def test_a_keras_file_with_external_storage_is_refused(tmp_path, secret):
    """The attack of the issue: a `.keras` archive whose model.weights.h5 copies a local file."""
    model = small_model()
    good = str(tmp_path / "good.keras")
    model.save(good)
    inner = weights_file(tmp_path, external_storage(secret, 48), "inner.weights.h5")
    hostile = str(tmp_path / "hostile.keras")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(hostile, "w") as target:
        for name in source.namelist():
            data = open(inner, "rb").read() if name == "model.weights.h5" else source.read(name)
            target.writestr(name, data)
    with pytest.raises(SavingError, match="external file"):
        pk.load_model(hostile)


@pytest.mark.parametrize("safe_mode", [True, False])
def test_a_fifo_as_external_storage_does_not_block(tmp_path, safe_mode):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    path = weights_file(tmp_path, external_storage(fifo, 48))
    start = time.monotonic()
    code, output = load_in_subprocess(path, safe_mode, timeout=60)
    assert code == 0 and "SavingError" in output and "external file" in output, output
    assert time.monotonic() - start < 60


@pytest.mark.parametrize("safe_mode", [True, False])
def test_the_zero_device_as_external_storage_is_refused(tmp_path, safe_mode):
    def huge_zero_kernel(file, at):
        file.create_dataset(at, shape=(1 << 28,), dtype="float64", external=[("/dev/zero", 0, 1 << 31)])
    path = weights_file(tmp_path, huge_zero_kernel)
    code, output = load_in_subprocess(path, safe_mode, timeout=60)
    assert code == 0 and "SavingError" in output and "external file" in output, output


def test_a_virtual_dataset_is_refused(tmp_path):
    def virtual(file, at):
        layout = h5py.VirtualLayout(shape=(3, 4), dtype="float32")
        layout[:] = h5py.VirtualSource(str(tmp_path / "missing.h5"), "data", shape=(3, 4))
        file.create_virtual_dataset(at, layout, fillvalue=0)
    path = weights_file(tmp_path, virtual)
    with pytest.raises(SavingError, match="virtual dataset"):
        small_model().load_weights(path)


def test_a_soft_link_is_refused(tmp_path):
    def soft(file, at):
        file.create_dataset("elsewhere", data=np.ones((3, 4), "float32"))
        file[at] = h5py.SoftLink("/elsewhere")
    with pytest.raises(SavingError, match="soft link"):
        small_model().load_weights(weights_file(tmp_path, soft))


def test_an_external_link_is_refused(tmp_path):
    other = str(tmp_path / "other.h5")
    with h5py.File(other, "w") as file:
        file.create_dataset("data", data=np.ones((3, 4), "float32"))

    def external_link(file, at):
        file[at] = h5py.ExternalLink(other, "/data")
    with pytest.raises(SavingError, match="external link"):
        small_model().load_weights(weights_file(tmp_path, external_link))


@pytest.mark.parametrize("dtype, what", [
    (h5py.special_dtype(vlen=np.dtype("float32")), "variable-length"),
    (h5py.ref_dtype, "object reference"),
    (np.dtype([("a", "f4"), ("b", "f4")]), "compound"),
    (h5py.string_dtype(), "string"),
])
def test_non_numeric_datasets_are_refused(tmp_path, dtype, what):
    def odd(file, at):
        file.create_dataset(at, shape=(3,), dtype=dtype)
    with pytest.raises(SavingError, match=what):
        small_model().load_weights(weights_file(tmp_path, odd))


def test_a_never_written_dataset_larger_than_the_file_is_refused(tmp_path):
    def declared_only(file, at):
        file.create_dataset(at, shape=(1 << 28,), dtype="float64")  # 2 GiB declared, nothing stored
    path = weights_file(tmp_path, declared_only)
    assert os.path.getsize(path) < 100_000
    with pytest.raises(SavingError, match="more than the .*file can hold"):
        small_model().load_weights(path)


def test_a_never_written_small_dataset_is_refused(tmp_path):
    def unwritten(file, at):
        file.create_dataset(at, shape=(3, 4), dtype="float32")
    with pytest.raises(SavingError, match="invented fill values"):
        small_model().load_weights(weights_file(tmp_path, unwritten))


def test_compressed_data_is_refused_in_safe_mode_checks(tmp_path):
    def compressed(file, at):
        file.create_dataset(at, data=np.zeros((3, 4), "float32"), compression="gzip")
    with pytest.raises(SavingError, match="compression"):
        small_model().load_weights(weights_file(tmp_path, compressed))


def test_a_group_cycle_is_refused(tmp_path):
    def cycle(file, at):
        file.create_dataset(at, data=np.ones((3, 4), "float32"))
        file["layers/dense/loop"] = file["layers/dense"]
    with pytest.raises(SavingError, match="contains itself"):
        small_model().load_weights(weights_file(tmp_path, cycle))


@pytest.mark.parametrize("safe_mode", [True, False])
def test_clean_files_still_load_in_both_modes(tmp_path, safe_mode):
    model = small_model()
    path = str(tmp_path / "clean.weights.h5")
    model.save_weights(path)
    other = small_model()
    other.load_weights(path, safe_mode=safe_mode)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))


def parser_server(tmp_path, replacement):
    """A parsing-server command whose parsers run `replacement` (source of a `read_tree(data)`) instead."""
    from pipekeras.saving import hdf5_reader

    script = tmp_path / "server.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {os.path.dirname(hdf5_reader.__file__)!r})
        import hdf5_reader
        hdf5_reader._warm_up()  # with the real reader, then never again
        hdf5_reader._warm_up = lambda: None
        {textwrap.indent(textwrap.dedent(replacement), "        ").strip()}
        hdf5_reader.read_tree = read_tree
        hdf5_reader.serve(int(sys.argv[1]))
    """))
    return [sys.executable, "-I", str(script)]


def ended(pid, wait=5.0):
    """Whether process `pid` ends (or is a zombie: killed, not yet reaped by whoever adopted it) within `wait`."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] in "ZX":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


MINIMAL = b"\x89HDF\r\n\x1a\n" + b"\0" * 100


def test_a_crash_in_the_parser_is_a_saving_error_and_the_next_load_works(monkeypatch, tmp_path):
    """A signal that kills the parser (what a segfault in HDF5 does) is reported, not inherited; the server
    forks a fresh parser for the next file."""
    from pipekeras.saving import hdf5_sandbox

    monkeypatch.setattr(hdf5_sandbox, "CHILD_COMMAND", parser_server(tmp_path, """
        import os, signal
        def read_tree(data):
            if data.startswith(b"crash"):
                os.kill(os.getpid(), signal.SIGSEGV)
            return hdf5_reader.Group("/", {}, {})
    """))
    with pytest.raises(RuntimeError, match=r"crashed reading it \(signal 11, SIGSEGV\)"):
        hdf5_sandbox.read_hdf5(b"crash")
    assert hdf5_sandbox.read_hdf5(b"fine").members == {}


def test_exhausting_the_memory_limit_is_a_saving_error(monkeypatch, tmp_path):
    from pipekeras.saving import hdf5_sandbox

    path = str(tmp_path / "w.weights.h5")
    big = pk.sequential() | pk.dense(3000, input_shape=(3000,))  # 36 MB: the file, its copy and the array
    big.save_weights(path)                                         # exceed the parser's 160 MB
    monkeypatch.setattr(hdf5_sandbox, "CHILD_BASE_MEMORY", 160 << 20)
    monkeypatch.setattr(hdf5_sandbox, "CHILD_MEMORY_PER_BYTE", 0)
    with pytest.raises(SavingError, match=r"memory limit \(160 MiB|without a complete reply"):
        big.load_weights(path)


def test_a_hang_in_the_parser_is_a_saving_error_and_the_parser_is_killed(monkeypatch, tmp_path):
    """A parser spinning at 100% CPU (what HDF5 does on some corrupted bytes) is killed at the time limit."""
    from pipekeras.saving import hdf5_sandbox

    marker = tmp_path / "spinning"
    monkeypatch.setattr(hdf5_sandbox, "CHILD_COMMAND", parser_server(tmp_path, f"""
        import os
        def read_tree(data):
            open({str(marker)!r}, "w").write(str(os.getpid()))
            while True:
                pass
    """))
    monkeypatch.setattr(hdf5_sandbox, "CHILD_BASE_SECONDS", 0.5)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="did not finish"):
        hdf5_sandbox.read_hdf5(MINIMAL)
    assert time.monotonic() - start < 10
    assert ended(int(marker.read_text()))


def test_ctrl_c_during_a_load_ends_the_parser_and_the_next_load_starts_a_new_server(monkeypatch, tmp_path):
    import signal

    from pipekeras.saving import hdf5_sandbox

    marker = tmp_path / "spinning"
    monkeypatch.setattr(hdf5_sandbox, "CHILD_COMMAND", parser_server(tmp_path, f"""
        import os
        def read_tree(data):
            if data != b"spin":
                return hdf5_reader.Group("/", {{}}, {{}})
            open({str(marker)!r}, "w").write(str(os.getpid()))
            while True:
                pass
    """))
    hdf5_sandbox.read_hdf5(b"fine")
    server = hdf5_sandbox._servers["server"].process

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt):
            hdf5_sandbox.read_hdf5(b"spin")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert server.poll() is not None
    assert ended(int(marker.read_text()))
    assert hdf5_sandbox.read_hdf5(b"fine").members == {}
    assert hdf5_sandbox._servers["server"].process.pid != server.pid


def test_a_hostile_parser_cannot_send_more_than_its_limit(monkeypatch, tmp_path):
    """A reply that declares a body larger than the parser's memory limit is not allocated."""
    from pipekeras.saving import hdf5_sandbox

    monkeypatch.setattr(hdf5_sandbox, "CHILD_COMMAND", parser_server(tmp_path, """
        import os
        def read_tree(data):
            return hdf5_reader.Group("/", {}, {})
        real = hdf5_reader.reply_chunks
        def reply_chunks(header, tree=None):
            return real({"ok": True, "tree": {"name": "/", "attrs": {}, "members": {}}, "arrays": [],
                         "body": 1 << 60})
        hdf5_reader.reply_chunks = reply_chunks
    """))
    with pytest.raises(RuntimeError, match="without a complete reply"):
        hdf5_sandbox.read_hdf5(MINIMAL)


def test_loads_reuse_one_server_and_a_forked_process_starts_its_own(tmp_path):
    from pipekeras.saving import hdf5_sandbox

    model = small_model()
    path = str(tmp_path / "clean.weights.h5")
    model.save_weights(path)
    model.load_weights(path)
    server = hdf5_sandbox._servers["server"].process.pid
    model.load_weights(path)
    assert hdf5_sandbox._servers["server"].process.pid == server
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a forked copy (a data-loading worker) must not talk to its parent's server
        try:
            model.load_weights(path)
            ok = hdf5_sandbox._servers["server"].process.pid != server
        except BaseException:  # noqa: BLE001 - reported through the pipe
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)
    os.close(read)
    model.load_weights(path)
    assert hdf5_sandbox._servers["server"].process.pid == server
