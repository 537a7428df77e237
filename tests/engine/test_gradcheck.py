import numpy as np
import pytest

import engine as eg
from engine import activations


def small_model(dtype="float64"):
    m = eg.Sequential([eg.layers.Dense(5, activation="tanh"),
                       eg.layers.Dense(2, activation="softmax")], input_shape=(3,), seed=2,
                      dtype=dtype)
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    return m


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 3)), np.eye(2)[rng.integers(0, 2, 8)]


def test_correct_gradients_pass():
    X, y = data()
    assert eg.gradcheck.check(small_model(), X, y) < 1e-7


def test_a_wrong_derivative_is_caught(monkeypatch):
    X, y = data()
    # a classic bug: tanh' written as 1 - a instead of 1 - a²
    monkeypatch.setattr(activations.Tanh, "backward",
                        lambda self, z, a, dy, out: np.multiply(dy, 1 - a, out=out))
    assert eg.gradcheck.check(small_model(), X, y) > 1e-2


def test_detailed_result_names_every_tensor():
    X, y = data()
    m = small_model()
    before = m.params.copy()
    r = eg.gradcheck.check_detailed(m, X, y)
    assert set(r.errors) == {"dense_0/W", "dense_0/b", "dense_1/W", "dense_1/b"}
    assert r.analytic.shape == r.numeric.shape == m.params.shape
    np.testing.assert_array_equal(m.params, before)  # the check leaves the model where it was


def test_float32_models_are_refused():
    X, y = data()
    with pytest.raises(ValueError, match="needs a float64 model, got float32"):
        eg.gradcheck.check(small_model("float32"), X, y)


def test_relative_floor_measures_tiny_gradients_against_the_model_scale():
    a, b = np.array([1e-12, 0.0]), np.array([3e-12, 0.0])  # round-off-sized disagreement
    assert eg.gradcheck.relative_error(a, b) == pytest.approx(0.5)
    assert eg.gradcheck.relative_error(a, b, floor=1e-3) < 1e-8
    assert eg.gradcheck.relative_error(np.ones(2), 1.1 * np.ones(2), floor=1e-3) == \
        pytest.approx(0.1 / 2.1)
