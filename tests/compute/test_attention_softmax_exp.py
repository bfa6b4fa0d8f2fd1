"""The float32 softmax's own exponential (compute/attention.py `_exp_shifted`): relative accuracy over the
whole float32 range of shifted scores, exact zeros where exp underflows (masked keys), NaN kept."""

import numpy as np

from pipekeras.compute.attention import masked_softmax


def test_float32_probabilities_within_float32_rounding_of_float64():
    rng = np.random.default_rng(0)
    scores = (rng.standard_normal((3, 5, 257)) * 20).astype(np.float32)  # exponents from ~-200 to 0
    scores[0, 0, :3] = [-80.0, -86.9, -87.5]  # around the underflow cut, beside a top of 0
    scores[0, 0, 3] = 0.0
    scores[0, 0, 4:] = -1000.0
    wide = scores.astype(np.float64)
    expected = np.exp(wide - wide.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    got = masked_softmax(scores)
    normal = expected > np.finfo(np.float32).tiny * 2 ** 10  # well inside float32's normal range
    # the shifted score x - max is rounded to float32 (an error of |x - max| * eps, which exp turns relative), then
    # the polynomial and the normalization add a few ulp
    eps = np.finfo(np.float32).eps
    bound = 4 * eps + np.abs(wide - wide.max(-1, keepdims=True)) * eps
    relative = np.abs(got.astype(np.float64) - expected) / np.where(normal, expected, 1)
    assert (relative[normal] <= bound[normal]).all(), (relative / bound)[normal].max()
    np.testing.assert_allclose(got[~normal], expected[~normal], atol=2 * np.finfo(np.float32).tiny)  # exp(-87) and below: 0
    assert got[0, 0, -1] == 0.0 and got[0, 0, 2] == 0.0  # underflow gives exact zeros


def test_masked_keys_get_exact_zeros_and_nan_rows_stay_nan():
    scores = np.zeros((1, 2, 6), np.float32)
    mask = np.array([[[True, True, False, True, False, False], [True] * 6]])
    got = masked_softmax(scores, mask)
    np.testing.assert_array_equal(got[0, 0], np.float32([1 / 3, 1 / 3, 0, 1 / 3, 0, 0]))
    scores[0, 1, 2] = np.nan
    got = masked_softmax(scores)
    assert np.isnan(got[0, 1]).all() and np.isfinite(got[0, 0]).all()
