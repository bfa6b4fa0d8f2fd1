"""The VAE (book 8.4) and GAN (book 8.5 structure) examples run in quick mode (PIPEKERAS_QUICK=1) on real MNIST:
the VAE's loss falls, the GAN logs finite discriminator and generator losses."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(script):
    env = {**os.environ, "PIPEKERAS_QUICK": "1", "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _numbers(line):
    return [float(v) for v in re.findall(r"-?\d+\.\d+", line)]


@pytest.fixture(autouse=True)
def _needs_mnist():
    from pipekeras.datasets import mnist

    try:
        mnist.load_data()
    except Exception as error:  # no copy of the data set on this machine
        pytest.skip(f"MNIST not available: {error}")


def test_the_vae_example_trains_and_its_loss_falls():
    out = _run("vae_mnist.py")
    [line] = [l for l in out.splitlines() if l.startswith("loss by epoch")]
    losses = _numbers(line)
    assert len(losses) == 2 and losses[1] < losses[0], out
    assert "reconstruction" in out and "kl" in out


def test_the_gan_example_trains_and_logs_both_losses():
    out = _run("gan_mnist.py")
    d = _numbers(next(l for l in out.splitlines() if l.startswith("d_loss by epoch")))
    g = _numbers(next(l for l in out.splitlines() if l.startswith("g_loss by epoch")))
    assert d and g and all(0 < v < 10 for v in d + g), out
    assert "generated images: (4, 28, 28, 1)" in out
