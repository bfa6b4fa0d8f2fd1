"""compile's loss_weights in code are checked as a file's are: a NaN or infinite weight made every loss NaN
silently."""

import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError


@pytest.mark.parametrize("weights", [[float("nan")], [float("inf")], ["heavy"], [True], {"out": float("nan")}])
def test_loss_weights_must_be_finite_numbers(weights):
    model = pk.sequential() | pk.dense(1, input_shape=(3,), name="out")
    with pytest.raises(ConfigError, match=r"compile: loss_weights for output 'out' must be a finite number"):
        model.compile("sgd", "mse", loss_weights=weights)


def test_finite_loss_weights_still_compile():
    model = pk.sequential() | pk.dense(1, input_shape=(3,), name="out")
    model.compile("sgd", "mse", loss_weights={"out": 0.5})
    assert model.loss_weights == [0.5]
