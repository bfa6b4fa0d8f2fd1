"""What a save does to what is already at its path, temporaries left by killed saves, and weights holding
NaN or infinity on load."""

import os
import stat
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import SavingError
from pipekeras.saving import archive


def small_model():
    return pk.sequential(name="small") | pk.dense(4, input_shape=(3,), name="d")


def age(path, seconds):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_stale_temporaries_of_the_same_target_are_swept(tmp_path):
    target = tmp_path / "model.pkeras"
    stale = [tmp_path / ".model.pkeras.k1ll3d.tmp", tmp_path / ".model.pkeras.0ld.tmp"]
    for path in stale:
        path.write_bytes(b"x" * 1000)
        age(path, 3600)
    fresh = tmp_path / ".model.pkeras.fr3sh.tmp"
    fresh.write_bytes(b"in progress")
    other = tmp_path / ".other.pkeras.0ld.tmp"
    other.write_bytes(b"another target's")
    age(other, 3600)
    small_model().save(str(target))
    assert not any(path.exists() for path in stale)
    assert fresh.exists() and other.exists()  # maybe a live writer; a different target
    assert pk.load_model(str(target)).count_params() == 16


def test_a_temporary_locked_by_a_live_writer_is_kept(tmp_path):
    temp = tmp_path / ".model.pkeras.w0rk.tmp"
    temp.write_bytes(b"being written")
    age(temp, 3600)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, sys, time
        f = open({str(temp)!r}, "rb")
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert archive.sweep_stale_temporaries(str(tmp_path / "model.pkeras")) == 0
        assert temp.exists()
    finally:
        holder.kill()
        holder.wait()
    assert archive.sweep_stale_temporaries(str(tmp_path / "model.pkeras")) == 1


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.pkeras"
    real.write_bytes(b"old")
    link = tmp_path / "link.pkeras"
    link.symlink_to(real)
    small_model().save(str(link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert pk.load_model(str(real)).count_params() == 16


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_saving_over_a_fifo_or_device_is_refused(tmp_path, make):
    if make == "fifo":
        target = str(tmp_path / "pipe.pkeras")
        os.mkfifo(target)
    else:
        target = str(tmp_path / "null.pkeras")
        os.symlink(os.devnull, target)
    with pytest.raises(SavingError, match="not a regular file"):
        small_model().save(target)
    if make == "fifo":
        assert stat.S_ISFIFO(os.stat(target).st_mode)
    else:
        assert os.path.islink(target) and stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_saving_over_a_read_only_file_is_refused(tmp_path):
    target = tmp_path / "frozen.weights.h5"
    target.write_bytes(b"keep me")
    target.chmod(0o444)
    with pytest.raises(SavingError, match="read-only"):
        small_model().save_weights(str(target))
    assert target.read_bytes() == b"keep me"


@pytest.mark.parametrize("suffix", [".pkeras", ".pkweights", ".npz", ".weights.h5"])
def test_loading_nan_or_inf_weights_warns_naming_them(tmp_path, suffix):
    model = small_model()
    kernel, bias = model.get_weights()
    kernel[0, 0] = np.nan
    bias[1] = np.inf
    model.set_weights([kernel, bias])
    path = str(tmp_path / f"diverged{suffix}")
    if suffix == ".pkeras":
        model.save(path)
        with pytest.warns(UserWarning, match="NaN or infinite values in weight.*d/kernel, d/bias"):
            loaded = pk.load_model(path)
    else:
        model.save_weights(path)
        loaded = small_model()
        with pytest.warns(UserWarning, match="NaN or infinite values"):
            loaded.load_weights(path)
    assert np.isnan(loaded.get_weights()[0][0, 0])


def test_finite_weights_load_without_warnings(tmp_path):
    path = str(tmp_path / "fine.pkeras")
    small_model().save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pk.load_model(path)


@pytest.mark.parametrize("make", ["fifo", "zero device"])
def test_loading_from_a_fifo_or_device_is_refused_without_blocking(tmp_path, make):
    if make == "fifo":
        path = str(tmp_path / "pipe.pkeras")
        os.mkfifo(path)  # nobody writes: a blocking read would never return
    else:
        path = "/dev/zero"  # a read to the end would never end
    code = f"""
import pipekeras as pk
from pipekeras.errors import SavingError
try:
    pk.load_model({path!r})
except SavingError as error:
    print("SavingError:", error)
try:
    (pk.sequential() | pk.dense(1, input_shape=(1,))).load_weights({path!r})
except SavingError as error:
    print("SavingError:", error)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert result.stdout.count("not a regular file") == 2, result.stdout + result.stderr
