"""Keras files with attention layers: a Keras 3.15.1 `.keras` model with MultiHeadAttention loads and predicts
within 1e-5 (tests/fixtures/make_attention_fixtures.py); pipekeras models with the attention layers round-trip
through .pkeras and .keras files."""

import os

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import Input, Model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")


def test_keras_model_with_multi_head_attention_loads_and_predicts():
    model = pk.load_model(os.path.join(FIXTURES, "attention_mha.keras"))
    mha = model.get_layer("mha")
    assert mha.use_causal_mask and [w.name for w in mha.weights][0] == "mha/query/kernel"
    x = np.load(os.path.join(FIXTURES, "attention_mha_x.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0), np.load(os.path.join(FIXTURES, "attention_mha_y.npy")),
                               atol=1e-5)


def small_model():
    ids = Input(shape=(6,))
    x = ids | pk.token_and_position_embedding(6, 30, 8, mask_zero=True)
    attended = pk.multi_head_attention(num_heads=2, key_dim=4, use_causal_mask=True)(x, x)
    x = [x, attended] | pk.add()
    scored = [x, x] | pk.attention(use_scale=True)
    added = [scored, x] | pk.additive_attention()
    out = added | pk.global_average_pooling_1d() | pk.dense(3, activation="softmax")
    return Model(ids, out)


@pytest.mark.parametrize("suffix", [".pkeras", ".keras"])
def test_attention_layers_round_trip_through_files(tmp_path, suffix):
    pk.set_seed(3)
    model = small_model()
    for w in model.weights:
        w.assign(np.random.default_rng(0).normal(0, 0.3, w.shape))
    x = np.random.default_rng(1).integers(0, 30, (4, 6))
    x[0, 3:] = 0
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = pk.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert [w.name.split("/", 1)[1] for w in loaded.weights] == [w.name.split("/", 1)[1] for w in model.weights]
