"""Every lesson notebook runs top to bottom (quick mode: PIPEKERAS_QUICK=1) without a cell error.

The kernel is ipykernel started with this interpreter and this checkout first on PYTHONPATH, so it imports
the pipekeras under test. A notebook whose layers pipekeras does not export yet is skipped, naming them.
"""

import importlib.util
import os
import time

import pytest

import pipekeras as pk

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "notebooks")
TIMEOUT_S = 300  # per cell; a quick notebook takes seconds


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", os.path.join(NOTEBOOKS, "build_notebooks.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _builder()


def _kernels_of_this_process():
    """The ids of this process's child processes running ipykernel (Linux's /proc; empty elsewhere)."""
    if not os.path.isdir("/proc/self/task"):
        return []
    kernels = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"ipykernel" in command:
            kernels.append(int(pid))
    return kernels


def test_committed_notebooks_match_the_generator():
    """The .ipynb files hold the generator's cells (outputs aside): edit build_notebooks.py, then rebuild."""
    for name in builder.LESSONS:
        path = builder.path_of(name)
        assert os.path.exists(path), f"{path} missing: run python notebooks/build_notebooks.py"
        committed = [(c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells]
        generated = [[(c.cell_type, c.source) for c in builder.build(name, mode).cells] for mode in ("full", "quick")]
        assert committed in generated, f"{name}.ipynb is stale: run python notebooks/build_notebooks.py"


# Notebooks made of an example script (build_notebooks.from_example) are that script's program, which
# tests/docs/test_autodiff_examples.py (08, 09), tests/training/test_text_models.py (13, 16),
# test_example_images.py (14), test_example_timeseries.py (15) and tests/docs/test_transformer_example.py (17)
# run: a kernel for them would run it again.
SCRIPT_NOTEBOOKS = ("08_vae", "09_gan", "13_imdb_raw_text", "14_mnist_image_folder", "15_timeseries_windows",
                    "16_book_6_1_tokenizer", "17_imdb_transformer")


@pytest.mark.parametrize("name", [name for name in builder.LESSONS if name not in SCRIPT_NOTEBOOKS])
def test_notebook_runs_in_quick_mode(name, tmp_path):
    missing = [n for n in builder.REQUIRES.get(name, []) if not hasattr(pk, n)]
    if missing:
        pytest.skip(f"pipekeras does not export {', '.join(missing)} yet")
    from nbclient.exceptions import CellExecutionError

    nb = builder.build(name)
    start = time.perf_counter()
    try:
        builder.execute(nb, quick=True, timeout=TIMEOUT_S, cwd=str(tmp_path))
    except CellExecutionError as error:
        pytest.fail(f"{name}: a cell failed:\n{error}", pytrace=False)
    errors = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert not errors, errors
    assert all(cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
    assert not _kernels_of_this_process(), "the notebook's kernel outlived its run"
    print(f"{name}: {time.perf_counter() - start:.1f} s")
