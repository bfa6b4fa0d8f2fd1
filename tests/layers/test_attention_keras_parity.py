"""Attention layers against Keras 3: forward outputs and the gradients of one training step (weights and
inputs) with the same weights, from tests/fixtures/attention_parity.npz (tests/fixtures/
make_attention_fixtures.py)."""

import os

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.layers.attention import AdditiveAttention, Attention, MultiHeadAttention

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "attention_parity.npz"))


def arrays(case, prefix):
    found = []
    while f"{case}/{prefix}{len(found)}" in FIXTURES:
        found.append(FIXTURES[f"{case}/{prefix}{len(found)}"])
    return found


def check(case, layer, call):
    """Builds `layer` by `call(layer, inputs)`, loads Keras's weights, compares outputs and gradients."""
    inputs = arrays(case, "x")
    call(layer, inputs)
    layer.set_weights(arrays(case, "w"))
    result = call(layer, inputs)
    output = result[0] if isinstance(result, list) else result
    np.testing.assert_allclose(output, FIXTURES[f"{case}/output"], atol=1e-5)
    if f"{case}/scores" in FIXTURES:
        np.testing.assert_allclose(result[1], FIXTURES[f"{case}/scores"], atol=1e-5)
    with pk.GradientTape() as tape:
        watched = tape.watch(list(inputs))
        result = call(layer, watched)
        output = result[0] if isinstance(result, list) else result
        loss = pk.ops.sum(output * FIXTURES[f"{case}/probe"])
    grads = tape.gradient(loss, watched + layer.trainable_weights)
    expected = arrays(case, "dx") + arrays(case, "dw")
    assert len(grads) == len(expected)
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want, atol=1e-5)


def masks(case, name, count):
    found = {int(k[len(case) + len(name) + 1:]): FIXTURES[k] for k in FIXTURES
             if k.startswith(f"{case}/{name}") and k[len(case) + len(name) + 1:].isdigit()}
    return [found.get(i) for i in range(count)]


def test_multi_head_self_attention():
    check("mha_self", MultiHeadAttention(2, 3), lambda layer, xs: layer(xs[0], xs[1]))


def test_multi_head_causal_with_value_mask():
    value_mask = FIXTURES["mha_causal_masked/value_mask0"]
    check("mha_causal_masked", MultiHeadAttention(3, 2),
          lambda layer, xs: layer([xs[0], xs[1]], use_causal_mask=True, mask=[None, value_mask]))


def test_multi_head_cross_attention_with_key_mask_and_scores():
    value_mask, key_mask = FIXTURES["mha_cross/value_mask0"], FIXTURES["mha_cross/key_mask0"]
    layer = MultiHeadAttention(2, 4, value_dim=3, output_shape=5, use_bias=False)
    check("mha_cross", layer, lambda layer, xs: layer(xs[0], xs[1], xs[2], return_attention_scores=True,
                                                      mask=[None, value_mask, key_mask]))


def test_multi_head_attention_mask_and_output_shape():
    attention_mask = FIXTURES["mha_attention_mask/attention_mask0"]
    check("mha_attention_mask", MultiHeadAttention(2, 3, output_shape=(2, 3)),
          lambda layer, xs: layer(xs[0], xs[1], attention_mask=attention_mask))


@pytest.mark.parametrize("case, make", [
    ("attention_dot", lambda: Attention(use_scale=True)),
    ("attention_concat_masked", lambda: Attention(score_mode="concat", use_scale=True)),
    ("attention_causal", lambda: Attention()),
    ("additive", lambda: AdditiveAttention()),
    ("additive_noscale", lambda: AdditiveAttention(use_scale=False)),
])
def test_attention_and_additive_attention(case, make):
    given = masks(case, "mask", 3)
    mask = given if any(m is not None for m in given) else None
    causal = case == "attention_causal"
    check(case, make(), lambda layer, xs: layer(list(xs), mask=mask[:len(xs)] if mask else None,
                                                use_causal_mask=causal, return_attention_scores=causal))
