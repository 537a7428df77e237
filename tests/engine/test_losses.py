import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from engine import losses


def num_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        x[idx] = old
        g[idx] = (fp - fm) / (2 * h)
    return g


def targets(name, rng, n, k):
    if name == "mean_squared_error":
        return rng.normal(size=(n, k))
    if name == "binary_crossentropy":
        return rng.random((n, k))  # soft labels are allowed
    if name == "categorical_crossentropy":
        return np.eye(k)[rng.integers(0, k, n)]
    return rng.integers(0, k, n).astype(float)


@pytest.mark.parametrize("name", ["mean_squared_error", "binary_crossentropy",
                                  "categorical_crossentropy", "sparse_categorical_crossentropy"])
@given(seed=st.integers(0, 1000), n=st.integers(1, 6), k=st.integers(2, 4))
@settings(max_examples=15, deadline=None)
def test_gradients_match_central_differences(name, seed, n, k):
    rng = np.random.default_rng(seed)
    loss = losses.get(name)
    y = targets(name, rng, n, k)
    z = rng.normal(size=(n, k))
    if loss.fused_activation:
        _, g = loss.from_logits(z.copy(), y, np.empty_like(z))
        np.testing.assert_allclose(g, num_grad(lambda t: loss.value_from_logits(t, y), z),
                                   rtol=1e-6, atol=1e-9)
        act = special.expit if name == "binary_crossentropy" else \
            (lambda t: special.softmax(t, axis=1))
        p = act(z)
    else:
        p = z
    _, g = loss.value_and_grad(p.copy(), y, np.empty_like(p))
    np.testing.assert_allclose(g, num_grad(lambda t: loss(t, y), p.copy()), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy"])
def test_fused_and_unfused_agree(name):
    rng = np.random.default_rng(0)
    loss = losses.get(name)
    z = rng.normal(size=(5, 3))
    y = targets(name, rng, 5, 3)
    p = special.expit(z) if name == "binary_crossentropy" else special.softmax(z, axis=1)
    assert loss.value_from_logits(z, y) == pytest.approx(loss(p, y), rel=1e-12)


def test_logits_of_plus_minus_1000_are_exact():
    bce = losses.get("binary_crossentropy")
    z = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    with np.errstate(all="raise"):
        value, g = bce.from_logits(z, y, np.empty_like(z))
    assert value == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    np.testing.assert_allclose(g, [[0], [0], [0.25], [-0.25]])
    cce = losses.get("categorical_crossentropy")
    z = np.array([[1000.0, -1000.0, 0.0]])
    value, g = cce.from_logits(z, np.array([[0.0, 1.0, 0.0]]), np.empty_like(z))
    assert value == pytest.approx(2000.0) and np.all(np.isfinite(g))


def test_mse_value():
    mse = losses.get("mse")
    assert mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])) == pytest.approx(2.5)


def test_target_checks():
    with pytest.raises(ValueError, match=r"targets have shape \(4,\) but the model outputs "
                                         r"\(4, 1\)"):
        losses.get("mse").check_targets(np.zeros(4), (4, 1))
    sparse = losses.get("sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"class ids must be integers in \[0, 2\]"):
        sparse.check_targets(np.array([0.0, 3.0]), (2, 3))
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        losses.get("hinge")
