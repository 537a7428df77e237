import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import activations

ELEMENTWISE = [n for n in activations.names() if n != "softmax"]


def numeric_derivative(act, z, h=1e-6):
    return (act(z + h) - act(z - h)) / (2 * h)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 5.0))
@settings(max_examples=20, deadline=None)
def test_elementwise_derivative_matches_central_differences(name, seed, scale):
    act = activations.get(name)
    z = np.random.default_rng(seed).normal(scale=scale, size=(7, 5))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from the kinks of relu-like functions
    np.testing.assert_allclose(act.derivative(z), numeric_derivative(act, z),
                               rtol=1e-6, atol=1e-8)


@given(seed=st.integers(0, 10_000))
@settings(max_examples=20, deadline=None)
def test_softmax_backward_is_the_jacobian_vector_product(seed):
    rng = np.random.default_rng(seed)
    z, dy = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    sm = activations.get("softmax")
    a = sm(z)
    got = sm.backward(z, a, dy, np.empty_like(z))
    for i in range(3):
        J = np.diag(a[i]) - np.outer(a[i], a[i])
        np.testing.assert_allclose(got[i], J.T @ dy[i], atol=1e-12)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


@pytest.mark.parametrize("name", activations.names())
def test_extreme_inputs_stay_finite(name):
    act = activations.get(name)
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with np.errstate(all="raise"):
        try:
            a = act(z)
        except FloatingPointError:
            # underflow to 0 is acceptable; anything else is not
            with np.errstate(under="ignore"):
                a = act(z)
    assert np.all(np.isfinite(a))


def test_known_values():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(activations.get("relu")(z), [[0, 0, 3]])
    np.testing.assert_allclose(activations.get("leaky_relu")(z), [[-0.02, 0, 3]])
    np.testing.assert_allclose(activations.get("sigmoid")(z), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(activations.get("softplus")(z), np.log1p(np.exp(z)))
    np.testing.assert_allclose(activations.get("elu")(z), [[np.expm1(-2.0), 0, 3]])
    np.testing.assert_allclose(activations.get("swish")(z), z / (1 + np.exp(-z)))
    np.testing.assert_allclose(activations.get("gelu")(np.array([[1.0]])), [[0.8413447460685429]])
    np.testing.assert_allclose(activations.get(None)(z), z)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'relux'.*relu"):
        activations.get("relux")
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\), got 2"):
        activations.LeakyReLU(alpha=2)
