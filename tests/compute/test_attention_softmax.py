"""The fused masked softmax kernel against a float64 NumPy reference, and its backward against central
differences."""

import numpy as np
import pytest

from pipekeras.compute.attention import MASK_REPLACE, MASK_SUBTRACT, masked_softmax, masked_softmax_backward


def reference(scores, mask, causal, mode):
    s = scores.copy()
    large = scores.dtype.type(1e9)  # the masking rounds in the scores' dtype, as Keras's does
    groups, t, k = s.shape
    keep = np.ones_like(s, dtype=bool)
    if mask is not None:
        keep &= np.repeat(mask, groups // mask.shape[0], axis=0)
    if causal:
        keep &= np.tril(np.ones((t, k), dtype=bool))[None]
    s = np.where(keep, s, s - large if mode == MASK_SUBTRACT else -large).astype(np.float64)
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("mode", [MASK_REPLACE, MASK_SUBTRACT])
@pytest.mark.parametrize("with_mask", [False, True])
def test_forward_matches_reference(causal, mode, with_mask):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(6, 4, 5))
    mask = rng.random((2, 4, 5)) > 0.3 if with_mask else None
    if with_mask:
        mask[0, 1] = False  # a row with every key masked
    got = masked_softmax(scores, mask, causal, mode)
    np.testing.assert_allclose(got, reference(scores, mask, causal, mode), rtol=1e-12, atol=1e-12)
    got32 = masked_softmax(scores.astype(np.float32), mask, causal, mode)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, reference(scores.astype(np.float32), mask, causal, mode), atol=1e-6)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("mode", [MASK_REPLACE, MASK_SUBTRACT])
def test_backward_matches_central_differences(causal, mode):
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(4, 3, 4))
    mask = rng.random((2, 3, 4)) > 0.3
    mask[:, :, 0] = True
    weights = rng.normal(size=scores.shape)
    probs = masked_softmax(scores, mask, causal, mode)
    grad = masked_softmax_backward(probs, weights, mask, causal, mode)
    numeric = np.zeros_like(scores)
    eps = 1e-6
    for index in np.ndindex(scores.shape):
        up, down = scores.copy(), scores.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = ((masked_softmax(up, mask, causal, mode) * weights).sum()
                          - (masked_softmax(down, mask, causal, mode) * weights).sum()) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, atol=1e-8)
