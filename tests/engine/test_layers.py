import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine import activations
from engine.model import BatchFeed

LOSSES = {
    "mean_squared_error": "linear",
    "binary_crossentropy": "sigmoid",
    "categorical_crossentropy": "softmax",
    "sparse_categorical_crossentropy": "softmax",
}


def make_targets(loss, rng, n, k):
    if loss == "mean_squared_error":
        return rng.normal(size=(n, k))
    if loss == "binary_crossentropy":
        return (rng.random((n, k)) > 0.5).astype(float)
    if loss == "categorical_crossentropy":
        return np.eye(k)[rng.integers(0, k, n)]
    return rng.integers(0, k, n).astype(float)


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", activations.names())
@given(seed=st.integers(0, 2**16), n=st.integers(1, 5), h=st.integers(1, 3),
       w=st.integers(1, 3), units=st.integers(1, 5), k=st.integers(2, 3),
       rate=st.sampled_from([0.0, 0.3]), use_bias=st.booleans())
@settings(max_examples=4, deadline=None)
def test_every_layer_activation_and_loss_passes_gradcheck(loss, activation, seed, n, h, w,
                                                          units, k, rate, use_bias):
    rng = np.random.default_rng(seed)
    model = eg.Sequential([
        eg.layers.Flatten(),
        eg.layers.Dense(units, activation=activation, use_bias=use_bias),
        eg.layers.Dropout(rate),
        eg.layers.Dense(units + 1, activation=activation),
        eg.layers.Dense(k, activation=LOSSES[loss]),
    ], input_shape=(h, w), seed=seed)
    model.compile(optimizer="sgd", loss=loss, l1=0.01, l2=0.02)
    # Random biases too: zero biases behind a dropped unit put z exactly on a kink (relu,
    # elu''), where no finite difference is accurate; and no weight within the difference
    # step of 0, where |w| (the L1 penalty) has its kink.
    theta = rng.normal(scale=0.7, size=model.params.size)
    model.params[:] = theta + np.copysign(1e-3, theta)
    X = rng.normal(size=(n, h, w))
    y = make_targets(loss, rng, n, k)
    err = eg.gradcheck.check(model, X, y, training=True)
    assert err < 1e-6, f"max relative error {err:.2e}"


def test_augmented_fast_path_equals_the_plain_path():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))
    m = eg.Sequential([eg.layers.Dense(6, activation="relu"), eg.layers.Dense(5),
                       eg.layers.Dense(2)], input_shape=(3,), seed=0)
    m.compile(optimizer="sgd", loss="mse")
    feed = BatchFeed(X, y, augment=True)
    xb, yb, xab = feed.batch(0, 12)
    loss_fast = m._loss_and_grad(xb, yb, True, xab)
    fast = m.grads.copy()
    loss_plain, plain = m.loss_and_grad(m.params, X, y)
    assert loss_fast == pytest.approx(loss_plain, rel=1e-14)
    np.testing.assert_allclose(fast, plain, rtol=1e-13, atol=1e-15)


def test_float32_gradients_agree_with_float64():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(16, 4)), np.eye(3)[rng.integers(0, 3, 16)]
    grads = {}
    for dt in ("float32", "float64"):
        m = eg.Sequential([eg.layers.Dense(8, activation="relu"),
                           eg.layers.Dense(3, activation="softmax")], input_shape=(4,), seed=0,
                          dtype=dt)
        m.compile(optimizer="sgd", loss="categorical_crossentropy")
        feed = BatchFeed(m._prepare_x(X), m._prepare_y(y, 16), augment=True)
        m._loss_and_grad(*feed.batch(0, 16)[:2], True, feed.batch(0, 16)[2])
        assert m.grads.dtype == np.dtype(dt)
        grads[dt] = m.grads.copy()
    np.testing.assert_allclose(grads["float32"], grads["float64"], rtol=1e-4, atol=1e-5)


def test_dropout_is_identity_at_inference_and_scales_in_training():
    layer = eg.layers.Dropout(0.5)
    layer.reseed(np.random.default_rng(0))
    x = np.ones((2000, 10))
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    y = layer.forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 2.0}
    assert abs(y.mean() - 1.0) < 0.05  # inverted dropout keeps the expectation
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)


def test_flatten_round_trip():
    layer = eg.layers.Flatten()
    assert layer.build((2, 3, 4), None) == (24,)
    x = np.arange(48.0).reshape(2, 2, 3, 4)
    y = layer.forward(x)
    assert y.shape == (2, 24) and np.shares_memory(x, y)
    assert layer.backward(y).shape == x.shape


def test_dense_forward_matches_the_formula():
    m = eg.Sequential([eg.layers.Dense(3, activation="tanh")], input_shape=(2,), seed=0)
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    W, b = m.layers[0].W, m.layers[0].b
    b[:] = [0.1, 0.2, 0.3]
    np.testing.assert_allclose(m.predict(x), np.tanh(x @ W + b))


@pytest.mark.parametrize("bad, message", [
    (lambda: eg.layers.Dense(0), "units must be a positive integer, got 0"),
    (lambda: eg.layers.Dense(2.5), "units must be a positive integer, got 2.5"),
    (lambda: eg.layers.Dense(3, activation="relux"), "unknown activation 'relux'"),
    (lambda: eg.layers.Dense(3, kernel_initializer="nope"), "unknown initializer 'nope'"),
    (lambda: eg.layers.Dropout(1.0), r"rate must be a number in \[0, 1\), got 1.0"),
    (lambda: eg.Sequential([eg.layers.Dense(3)], input_shape=(4, 4)),
     r"cannot take inputs of shape \(n, 4, 4\).*add a Flatten layer"),
])
def test_bad_layer_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        bad()


def test_layer_from_config_round_trip():
    layer = eg.layers.Dense(4, activation="relu", kernel_initializer="he_normal", name="hidden")
    again = eg.layers.from_config({"class": "Dense", "config": layer.get_config()})
    assert again.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="unknown layer class 'Conv9D'"):
        eg.layers.from_config({"class": "Conv9D"})
