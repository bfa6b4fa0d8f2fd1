"""Small files that claim huge sizes: no file under 1 MB makes the loader allocate more than 64 MB beyond
what its model needs. Each load runs in a fresh interpreter that measures its peak allocations with
tracemalloc (NumPy reports its buffers to it) and the peak resident size of the HDF5 parsing processes
(the parsing server is ended before measuring, so that its parsers' peaks reach this process's
RUSAGE_CHILDREN)."""

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import pipekeras as pk

h5py = pytest.importorskip("h5py")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MB = 1 << 20
ALLOWED = 64 * MB


def small_model():
    return pk.sequential(name="small") | pk.dense(4, input_shape=(3,), name="d")


def measure(call, path):
    """Runs `call` (source text using `pk`, `path`) in a fresh interpreter; returns its report."""
    code = textwrap.dedent(f"""
        import json, resource, tracemalloc
        import pipekeras as pk
        from pipekeras.errors import PipeKerasError
        path = {path!r}
        model = pk.sequential() | pk.dense(4, input_shape=(3,))
        tracemalloc.start()
        try:
            {call}
            outcome = "loaded"
        except PipeKerasError as error:
            outcome = type(error).__name__ + ": " + str(error)
        peak = tracemalloc.get_traced_memory()[1]
        from pipekeras.saving import hdf5_sandbox
        hdf5_sandbox._close_servers()
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(json.dumps({{"outcome": outcome, "peak": peak, "child_rss": child}}))
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A .pkeras whose first weights entry inflates to 1 GiB of zeros (the file is under 1 MB)."""
    folder = tmp_path_factory.mktemp("bombs")
    good = str(folder / "good.pkeras")
    small_model().save(good)
    path = str(folder / "bomb.pkeras")
    zero = bytes(MB)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            if info.filename != "weights/00000.npy":
                target.writestr(info, source.read(info))
                continue
            bomb = zipfile.ZipInfo(info.filename)
            bomb.compress_type = zipfile.ZIP_DEFLATED
            with target.open(bomb, "w", force_zip64=True) as stream:
                stream.write(source.read(info))
                for _ in range(1024):
                    stream.write(zero)
    return path


def test_the_zip_bomb_is_under_one_megabyte(zip_bomb):
    assert os.path.getsize(zip_bomb) < MB


@pytest.mark.parametrize("call", ["pk.load_model(path)", "model.load_weights(path)"])
def test_a_zip_bomb_is_refused_without_inflating_it(zip_bomb, call):
    report = measure(call, zip_bomb)
    assert report["outcome"].startswith("SavingError") and "inflate" in report["outcome"], report
    assert report["peak"] < ALLOWED, report


def test_a_json_bomb_is_refused(tmp_path):
    path = str(tmp_path / "json_bomb.pkeras")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        target.writestr("config.json", b" " * (80 * MB))
    assert os.path.getsize(path) < MB
    report = measure("pk.load_model(path)", path)
    assert report["outcome"].startswith("SavingError") and report["peak"] < ALLOWED, report


def test_a_lying_npy_header_allocates_nothing(tmp_path):
    """An entry within its size whose .npy header claims a huge array: refused from the header."""
    good = str(tmp_path / "good.pkeras")
    small_model().save(good)
    path = str(tmp_path / "lying.pkeras")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "weights/00000.npy":
                data = data.replace(b"(3, 4)", b"(1000000, 1000)")[:len(data)]
            target.writestr(info, data)
    report = measure("pk.load_model(path)", path)
    assert report["outcome"].startswith("SavingError") and report["peak"] < ALLOWED, report


def unwritten_kernel(file, at):
    file.create_dataset(at, shape=(1 << 28,), dtype="float64")  # 2 GiB declared, nothing written


def zero_device_kernel(file, at):
    file.create_dataset(at, shape=(1 << 28,), dtype="float64", external=[("/dev/zero", 0, 1 << 31)])


@pytest.mark.parametrize("kernel", [unwritten_kernel, zero_device_kernel])
@pytest.mark.parametrize("safe_mode", [True, False])
def test_a_huge_dataset_never_written_or_on_the_zero_device_allocates_nothing(tmp_path, kernel, safe_mode):
    path = str(tmp_path / "bomb.weights.h5")
    small_model().save_weights(path)
    with h5py.File(path, "a") as file:
        del file["layers/dense/vars/0"]
        kernel(file, "layers/dense/vars/0")
    assert os.path.getsize(path) < MB
    report = measure(f"model.load_weights(path, safe_mode={safe_mode})", path)
    assert report["outcome"].startswith("SavingError"), report
    assert report["peak"] < ALLOWED, report
    if safe_mode:  # a parser: a fork of an interpreter with NumPy and h5py (under 150 MB resident), no more
        assert 10 * MB < report["child_rss"] < 150 * MB + ALLOWED, report


def test_a_config_naming_one_huge_layer_allocates_no_more_than_the_file_holds(tmp_path):
    good = str(tmp_path / "good.pkeras")
    small_model().save(good)
    path = str(tmp_path / "huge_layer.pkeras")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "config.json":
                config = json.loads(data)
                config["config"]["layers"][-1]["config"]["units"] = 1 << 25  # 3 x 2**25 float32: 384 MB
                data = json.dumps(config).encode()
            target.writestr(info, data)
    assert os.path.getsize(path) < MB
    report = measure("pk.load_model(path)", path)
    assert report["outcome"].startswith("ConfigError") and "more than" in report["outcome"], report
    assert report["peak"] < ALLOWED, report


def test_a_keras_config_naming_one_huge_layer_is_refused_before_allocating(tmp_path):
    source = os.path.join(REPO, "tests", "fixtures", "dense_net.keras")
    path = str(tmp_path / "huge_layer.keras")
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as target:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "config.json":
                config = json.loads(data)
                config["config"]["layers"][1]["config"]["units"] = 1 << 26
                data = json.dumps(config).encode()
            target.writestr(info, data)
    report = measure("pk.load_model(path)", path)
    assert report["outcome"].startswith("ConfigError") and "more than" in report["outcome"], report
    assert report["peak"] < ALLOWED, report
