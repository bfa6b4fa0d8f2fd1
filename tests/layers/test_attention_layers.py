"""Attention layers: float64 gradient checks (plain, masked, causal, multi-axis), configs, masks in graphs,
the token-and-position embedding, and the errors for inputs that cannot attend."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import Input, Model, check_gradients
from pipekeras.errors import ConfigError, DataError, ShapeError
from pipekeras.layers.attention import AdditiveAttention, Attention, MultiHeadAttention, TokenAndPositionEmbedding

rng = np.random.default_rng(0)


def f64(*shape):
    return rng.normal(size=shape)


def float64(layer):
    return type(layer).from_config({**layer.get_config(), "dtype": "float64"})


@pytest.mark.parametrize("layer, inputs", [
    (MultiHeadAttention(2, 3, dtype="float64"), [f64(2, 4, 5), f64(2, 3, 5)]),
    (MultiHeadAttention(2, 3, value_dim=2, output_shape=(2, 2), use_bias=False, dtype="float64"),
     [f64(2, 4, 5), f64(2, 3, 4), f64(2, 3, 6)]),
    (MultiHeadAttention(1, 2, use_causal_mask=True, dtype="float64"), f64(2, 4, 3)),
    (MultiHeadAttention(2, 2, dtype="float64"), [f64(2, 2, 3, 4), f64(2, 2, 2, 4)]),
    (MultiHeadAttention(2, 2, return_attention_scores=True, dtype="float64"), [f64(2, 3, 4), f64(2, 3, 4)]),
    (Attention(use_scale=True, dtype="float64"), [f64(2, 3, 4), f64(2, 5, 4)]),
    (Attention(score_mode="concat", use_scale=True, use_causal_mask=True, dtype="float64"),
     [f64(2, 3, 4), f64(2, 3, 4), f64(2, 3, 4)]),
    (AdditiveAttention(return_attention_scores=True, dtype="float64"), [f64(2, 3, 4), f64(2, 5, 4)]),
])
def test_gradients_match_central_differences(layer, inputs):
    result = check_gradients(layer, inputs)
    assert result, result


def test_masked_gradients_through_a_model():
    ids = Input(shape=(5,))
    x = ids | pk.token_and_position_embedding(5, 12, 4, mask_zero=True, dtype="float64")
    x = pk.multi_head_attention(num_heads=2, key_dim=2, dtype="float64")(x, x)
    x = [x, x] | pk.attention(use_scale=True, dtype="float64")
    out = [x, x] | pk.additive_attention(dtype="float64")
    model = Model(ids, out)
    data = np.array([[3, 4, 5, 0, 0], [1, 2, 3, 4, 5]])
    assert model.predict(data, verbose=0)[0, 3:].sum() == 0  # masked query steps are zero after Attention
    result = check_gradients(model, data)
    assert result, result


def test_output_mask_is_the_query_mask():
    ids = Input(shape=(4,))
    x = ids | pk.embedding(10, 4, mask_zero=True)
    other = Input(shape=(3, 4))
    attended = pk.multi_head_attention(num_heads=1, key_dim=2)(x, other)
    assert attended.mask is not None
    assert ([x, other] | pk.attention()).mask is not None
    assert ([other, x] | pk.attention()).mask is None


def test_configs_round_trip():
    for layer in [MultiHeadAttention(2, 8, value_dim=4, dropout=0.1, output_shape=6, use_causal_mask=True,
                                     kernel_regularizer="l2"),
                  Attention(use_scale=True, score_mode="concat", dropout=0.2),
                  AdditiveAttention(use_scale=False, return_attention_scores=True),
                  TokenAndPositionEmbedding(20, 100, 8, mask_zero=True)]:
        config = layer.get_config()
        again = type(layer).from_config(config)
        assert again.get_config() == {**config, "name": again.name}


def test_pipes_and_r_names():
    import pipekeras.r as r
    model = pk.sequential() | r.layer_token_and_position_embedding(7, 50, 8, input_shape=(7,)) | \
        r.layer_multi_head_attention(num_heads=2, key_dim=4) | pk.global_average_pooling_1d() | pk.dense(1)
    assert model.output_shape == (None, 1)
    assert model.predict(np.ones((2, 7)), verbose=0).shape == (2, 1)
    assert r.layer_positional_embedding is pk.token_and_position_embedding
    assert r.layer_attention().__class__ is Attention and r.layer_additive_attention().__class__ is AdditiveAttention


def test_dropout_only_in_training():
    layer = MultiHeadAttention(2, 2, dropout=0.5, seed=1)
    x = f64(2, 3, 4).astype("float32")
    np.testing.assert_array_equal(layer(x, x), layer(x, x))
    assert not np.allclose(layer(x, x, training=True), layer(x, x))


def test_token_and_position_embedding():
    layer = TokenAndPositionEmbedding(6, 10, 3, mask_zero=True)
    ids = np.array([[1, 2, 0], [4, 0, 0]])
    out = layer(ids)
    tokens, positions = layer.get_weights()
    np.testing.assert_allclose(out, tokens[ids] + positions[:3])
    assert [w.name for w in layer.weights] == [f"{layer.name}/token_embeddings", f"{layer.name}/position_embeddings"]
    np.testing.assert_array_equal(layer.compute_mask(ids), ids != 0)
    model = pk.sequential() | TokenAndPositionEmbedding(3, 10, 2, input_shape=(3,), dtype="float64") | pk.flatten()
    result = check_gradients(model, np.array([[1, 2, 2], [9, 0, 3]]))
    assert result, result
    with pytest.raises(ShapeError, match="longer than maxlen=6"):
        layer(np.ones((1, 7)))
    with pytest.raises(DataError, match=r"id 10 at \(sample 0, step 1\)"):
        layer(np.array([[1, 10]]))


def test_inputs_that_cannot_attend_are_named():
    with pytest.raises(ShapeError, match="same batch size"):
        MultiHeadAttention(2, 2)(np.ones((2, 3, 4)), np.ones((3, 3, 4)))
    with pytest.raises(ShapeError, match="value and key must have the same shape except the last axis"):
        MultiHeadAttention(2, 2)(Input(shape=(3, 4)), Input(shape=(5, 4)), Input(shape=(6, 4)))
    with pytest.raises(ShapeError, match="query must have rank >= 3"):
        MultiHeadAttention(2, 2)(Input(shape=(4,)), Input(shape=(3, 4)))
    with pytest.raises(ShapeError, match="query and key must have the same last axis"):
        [Input(shape=(3, 4)), Input(shape=(5, 6))] | pk.attention()
    with pytest.raises(ShapeError, match=r"list \[query, value\]"):
        Input(shape=(3, 4)) | pk.attention()
    layer = MultiHeadAttention(2, 2)
    layer(Input(shape=(3, 4)), Input(shape=(5, 4)))
    with pytest.raises(ShapeError, match="size 4 on axis -1"):
        layer(Input(shape=(3, 6)), Input(shape=(5, 4)))


def test_masks_of_the_wrong_shape_are_named():
    x = np.ones((2, 3, 4), "float32")
    with pytest.raises(ShapeError, match=r"attention_mask must have shape \(2, 3, 5\).*received \(2, 5, 3\)"):
        MultiHeadAttention(2, 2)(x, np.ones((2, 5, 4)), attention_mask=np.ones((2, 5, 3), bool))
    with pytest.raises(ShapeError, match=r"the value mask must have shape \(2, 5\).*received \(2, 3\)"):
        MultiHeadAttention(2, 2)([x, np.ones((2, 5, 4))], mask=[None, np.ones((2, 3), bool)])
    with pytest.raises(ShapeError, match=r"the query mask must have shape \(2, 3\)"):
        Attention()([x, x], mask=[np.ones((2, 4), bool), None])


def test_unsupported_arguments_are_refused():
    with pytest.raises(ConfigError, match="attention_axes=\\(2,\\) is not supported"):
        MultiHeadAttention(2, 2, attention_axes=2)(Input(shape=(3, 5, 4)), Input(shape=(3, 5, 4)))
    with pytest.raises(ConfigError, match="score_mode must be one of"):
        Attention(score_mode="general")
    layer = Attention()
    a = Input(shape=(3, 4))
    layer([a, a])
    with pytest.raises(ConfigError, match="use_causal_mask=True differs from its earlier calls"):
        layer([a, a], use_causal_mask=True)
    with pytest.raises(ConfigError, match="attention_mask must be a symbolic tensor when the inputs are"):
        MultiHeadAttention(1, 2)(a, a, attention_mask=np.ones((1, 3, 3), bool))
