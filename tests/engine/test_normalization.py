import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine.layers.conv import Conv2D
from engine.layers.normalization import BatchNormalization


def gradient_error(model, X, y, training=False) -> float:
    return eg.gradcheck.check(model, X, y, training=training, relative_floor=1e-3)


def randomize(model, rng):
    model.params[:] = rng.normal(scale=0.8, size=model.params.size)


# n >= 3: with two samples x̂ = ±d/√(d² + ε) is nearly constant, so dL/dW sinks to round-off.
@given(seed=st.integers(0, 2**16), n=st.integers(3, 6), f=st.integers(1, 3),
       training=st.booleans())
@settings(max_examples=25, deadline=None)
def test_after_dense_passes_gradcheck(seed, n, f, training):
    rng = np.random.default_rng(seed)
    bn = BatchNormalization()
    # No bias before BN: in training mode the batch mean cancels it, so its gradient is
    # exactly zero and the relative error of a zero gradient is meaningless.
    model = eg.Sequential([eg.layers.Dense(f, use_bias=False), bn,
                           eg.layers.Dense(2)],
                          input_shape=(3,), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    randomize(model, rng)
    bn.set_state({"moving_mean": rng.normal(size=f), "moving_variance": rng.random(f) + 0.5})
    X, y = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))
    assert gradient_error(model, X, y, training=training) < 1e-6


@given(seed=st.integers(0, 2**16), h=st.integers(1, 3), w=st.integers(1, 3),
       training=st.booleans())
@settings(max_examples=20, deadline=None)
def test_after_conv_passes_gradcheck(seed, h, w, training):
    rng = np.random.default_rng(seed)
    model = eg.Sequential([Conv2D(2, 2, padding="same", use_bias=False), BatchNormalization(),
                           eg.layers.Flatten(), eg.layers.Dense(2)],
                          input_shape=(h, w, 1), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    randomize(model, rng)
    X, y = rng.normal(size=(2, h, w, 1)), rng.normal(size=(2, 2))
    assert gradient_error(model, X, y, training=training) < 1e-6


def built(shape, **kwargs):
    bn = BatchNormalization(**kwargs)
    eg.Sequential([bn], input_shape=shape)
    bn.input_grad = True
    return bn


def test_training_normalises_each_channel_and_updates_the_moving_statistics():
    rng = np.random.default_rng(0)
    bn = built((4, 4, 3), momentum=0.9)
    bn.gamma[:] = [1.0, 2.0, 0.5]
    bn.beta[:] = [0.0, -1.0, 3.0]
    x = rng.normal(loc=[1.0, -2.0, 5.0], scale=[1.0, 3.0, 0.1], size=(8, 4, 4, 3))
    y = bn.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), bn.beta, atol=1e-12)
    var = x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), bn.gamma * np.sqrt(var / (var + 1e-3)))
    np.testing.assert_allclose(bn.moving_mean, 0.1 * x.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(bn.moving_variance, 0.9 + 0.1 * var)  # biased, as Keras


def test_inference_uses_the_moving_statistics():
    bn = built((2,))
    bn.set_state({"moving_mean": np.array([1.0, 2.0]), "moving_variance": np.array([4.0, 9.0])})
    x = np.array([[3.0, 2.0], [1.0, 5.0]])
    expected = (x - [1.0, 2.0]) / np.sqrt(np.array([4.0, 9.0]) + 1e-3)
    np.testing.assert_allclose(bn.forward(x, training=False), expected)
    assert bn.get_state()["moving_mean"].tolist() == [1.0, 2.0]  # inference changes nothing


def test_state_round_trip_copy_and_reinitialize():
    rng = np.random.default_rng(1)
    bn = BatchNormalization()
    model = eg.Sequential([eg.layers.Dense(3), bn], input_shape=(2,))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng.normal(size=(16, 2)), rng.normal(size=(16, 3)), epochs=2, batch_size=4)
    state = bn.get_state()
    assert not np.allclose(state["moving_mean"], 0.0)
    twin = pickle.loads(pickle.dumps(model))
    for key, value in twin.layers[1].get_state().items():
        np.testing.assert_array_equal(value, state[key])
    X = rng.normal(size=(5, 2))
    np.testing.assert_array_equal(twin.predict(X), model.predict(X))
    fresh = eg.Sequential.from_config(model.get_config())
    fresh.set_params(model.params)
    fresh.layers[1].set_state(state)
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))
    model.reinitialize()
    assert np.all(bn.moving_mean == 0.0) and np.all(bn.moving_variance == 1.0)


@pytest.mark.parametrize("state, message", [
    ({"moving_mean": np.zeros(3)}, "must have keys"),
    ({"moving_mean": np.zeros(2), "moving_variance": np.ones(3)},
     r"moving_mean must be a numeric array of shape \(3,\), got shape \(2,\)"),
    ({"moving_mean": np.zeros(3), "moving_variance": -np.ones(3)}, "must be >= 0"),
    ({"moving_mean": np.full(3, np.nan), "moving_variance": np.ones(3)}, "NaN"),
])
def test_bad_state_is_refused_and_changes_nothing(state, message):
    bn = built((3,))
    with pytest.raises(ValueError, match=message):
        bn.set_state(state)
    assert np.all(bn.moving_mean == 0.0) and np.all(bn.moving_variance == 1.0)


def test_params_are_gamma_and_beta_only():
    model = eg.Sequential([BatchNormalization()], input_shape=(4, 4, 5))
    assert [(s.name, s.shape) for s in model.param_spec] == [("gamma", (5,)), ("beta", (5,))]


def test_float32():
    model = eg.Sequential([eg.layers.Dense(3), BatchNormalization()], input_shape=(2,),
                          dtype="float32")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.zeros((4, 3)), epochs=1)
    assert model.layers[1].moving_mean.dtype == np.float32
    assert model.predict(np.ones((2, 2))).dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [
    ({"momentum": 1.5}, "momentum must be a number in"),
    ({"epsilon": 0.0}, "epsilon must be a number > 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNormalization(**kwargs)


def test_forward_with_the_wrong_shape_names_both():
    bn = built((3,))
    with pytest.raises(ValueError, match=r"built for inputs of shape \(n, 3\); got shape "
                                         r"\(2, 4\)"):
        bn.forward(np.zeros((2, 4)))


def test_config_round_trip():
    bn = BatchNormalization(momentum=0.9, epsilon=1e-5)
    rebuilt = eg.layers.from_config({"class": "BatchNormalization", "config": bn.get_config()})
    assert rebuilt.get_config() == bn.get_config()
