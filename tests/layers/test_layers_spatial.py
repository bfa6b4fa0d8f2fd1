"""layers/spatial.py: the public window geometry and data_format helpers; layers import no private names
from each other and leave scratch memory to the kernels."""

import pathlib
import re

import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError
from pipekeras.layers.spatial import (BOTH_DATA_FORMATS, data_format_argument, rank_hint, shape_from_channels_last,
                                      shape_to_channels_last, window_geometry)

LAYERS = pathlib.Path(pk.__file__).parent / "layers"


def test_window_geometry_follows_keras_padding_rules():
    assert window_geometry((7, None, 5), (3, 3, 2), (2, 1, 1), (1, 1, 2), "valid") == [(3, 0), (None, 0), (3, 0)]
    assert window_geometry((7, 4), (3, 2), (2, 3), (1, 1), "same") == [(4, 1), (2, 0)]
    assert window_geometry((6,), (3,), (1,), (2,), "causal") == [(6, 4)]


def test_data_format_argument():
    assert data_format_argument("Conv2D", None) == "channels_last"
    with pytest.raises(ConfigError, match="channels_last"):
        data_format_argument("Conv2D", "channels_first")
    assert data_format_argument("Conv3D", "channels_first", BOTH_DATA_FORMATS) == "channels_first"


def test_channel_axis_moves_on_shapes():
    assert shape_to_channels_last((None, 3, 4, 5, 6), "channels_first") == (None, 4, 5, 6, 3)
    assert shape_from_channels_last((None, 4, 5, 6, 3), "channels_first") == (None, 3, 4, 5, 6)
    assert shape_to_channels_last((None, 4, 3), "channels_last") == (None, 4, 3)


def test_rank_hints_name_a_reshape():
    assert "x.reshape(-1, 28, 28, 1)" in rank_hint(2, (None, 28, 28))
    assert "x.reshape(-1, 4, 5, 6, 1)" in rank_hint(3, (None, 4, 5, 6))


def test_layer_modules_import_no_private_names_and_no_scratch_memory():
    private_import = re.compile(r"from \.+[\w.]* import [^\n]*\b_[A-Za-z]")
    for path in LAYERS.rglob("*.py"):
        text = path.read_text()
        assert not private_import.search(text), path
        assert "buffers" not in text and "BufferPool" not in text, path
