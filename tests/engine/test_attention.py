import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

import engine as eg
from engine.gradcheck import numeric_gradient, relative_error
from engine.layers.attention import SelfAttention


def gradient_error(model, X, y, training=False) -> float:
    return eg.gradcheck.check(model, X, y, training=training, relative_floor=1e-3)


@given(seed=st.integers(0, 2**16), n=st.integers(1, 3), T=st.integers(1, 4),
       d=st.integers(1, 3), units=st.integers(1, 3), causal=st.booleans(),
       use_bias=st.booleans(), output_units=st.sampled_from([None, 2]))
@settings(max_examples=40, deadline=None)
def test_attention_passes_gradcheck(seed, n, T, d, units, causal, use_bias, output_units):
    rng = np.random.default_rng(seed)
    layer = SelfAttention(units, causal=causal, use_bias=use_bias, output_units=output_units)
    model = eg.Sequential([layer], input_shape=(T, d), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    model.params[:] = rng.normal(scale=0.8, size=model.params.size)
    X = rng.normal(size=(n, T, d))
    y = rng.normal(size=(n, *model.output_shape))
    assert gradient_error(model, X, y) < 1e-6
    # dx, checked on the layer itself: a second attention layer on top would see nearly
    # equal positions (attention averages), whose score gradients vanish into round-off.
    layer.input_grad = True
    r = rng.normal(size=(n, *model.output_shape))
    layer.forward(X)
    dx = layer.backward(r).copy()
    numeric = numeric_gradient(lambda x: float(np.sum(layer.forward(x.reshape(X.shape)) * r)),
                               X.copy().ravel()).reshape(X.shape)
    assert relative_error(dx, numeric) < 1e-6


def built(layer, shape, seed=0):
    eg.Sequential([layer], input_shape=shape, seed=seed)
    rng = np.random.default_rng(seed)
    for spec in ("bq", "bv", "bo"):
        if hasattr(layer, spec):
            getattr(layer, spec)[:] = rng.normal(size=getattr(layer, spec).shape)
    return layer


@pytest.mark.parametrize("causal", [False, True])
def test_forward_matches_the_formula_and_keeps_the_weights(causal):
    rng = np.random.default_rng(0)
    layer = built(SelfAttention(3, causal=causal, output_units=2), (5, 4))
    x = rng.normal(size=(2, 5, 4))
    assert layer.attention_weights is None
    y = layer.forward(x)
    q = x @ layer.Wq + layer.bq
    k = x @ layer.Wk
    v = x @ layer.Wv + layer.bv
    s = q @ k.transpose(0, 2, 1) / np.sqrt(3)
    if causal:
        s = np.where(np.tril(np.ones((5, 5), bool)), s, -np.inf)
    a = special.softmax(s, axis=-1)
    np.testing.assert_allclose(layer.attention_weights, a, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(y, a @ v @ layer.Wo + layer.bo, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.attention_weights.sum(-1), 1.0)
    if causal:
        assert np.all(np.triu(layer.attention_weights[0], k=1) == 0.0)
    with pytest.raises(ValueError):
        layer.attention_weights[0, 0, 0] = 0.0  # read-only view


def test_causal_output_does_not_depend_on_the_future():
    rng = np.random.default_rng(1)
    layer = built(SelfAttention(4, causal=True), (6, 3))
    x = rng.normal(size=(2, 6, 3))
    y = layer.forward(x)
    x2 = x.copy()
    x2[:, 3:] = rng.normal(size=(2, 3, 3))
    y2 = layer.forward(x2)
    np.testing.assert_allclose(y2[:, :3], y[:, :3], rtol=1e-13)
    assert not np.allclose(y2[:, 3:], y[:, 3:])


def test_without_a_mask_attention_is_permutation_equivariant():
    rng = np.random.default_rng(2)
    layer = built(SelfAttention(3), (5, 2))
    x = rng.normal(size=(1, 5, 2))
    perm = rng.permutation(5)
    np.testing.assert_allclose(layer.forward(x[:, perm]), layer.forward(x)[:, perm],
                               rtol=1e-12, atol=1e-14)


def test_single_step_attends_to_itself():
    layer = built(SelfAttention(2, causal=True), (1, 3))
    layer.forward(np.ones((4, 1, 3)))
    np.testing.assert_array_equal(layer.attention_weights, np.ones((4, 1, 1)))


def test_parameters_have_no_key_bias():
    model = eg.Sequential([SelfAttention(3, output_units=2)], input_shape=(4, 5))
    shapes = {s.name: s.shape for s in model.param_spec}
    assert shapes == {"Wq": (5, 3), "bq": (3,), "Wk": (5, 3), "Wv": (5, 3), "bv": (3,),
                      "Wo": (3, 2), "bo": (2,)}
    assert model.output_shape == (4, 2)


def test_given_2d_inputs_the_error_names_both_shapes():
    with pytest.raises(ValueError) as info:
        eg.Sequential([SelfAttention(2)], input_shape=(6,))
    assert "SelfAttention expects inputs of shape (n, timesteps, features); got per-sample " \
           "shape (6,)" in str(info.value)


@pytest.mark.parametrize("kwargs, message", [
    ({"units": 0}, "units must be a positive integer, got 0"),
    ({"units": 2, "output_units": -1}, "output_units must be a positive integer, got -1"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SelfAttention(**kwargs)


def test_config_round_trip_pickle_and_float32():
    layer = SelfAttention(3, causal=True, output_units=2, use_bias=False,
                          kernel_initializer="he_uniform")
    rebuilt = eg.layers.from_config({"class": "SelfAttention", "config": layer.get_config()})
    assert rebuilt.get_config() == layer.get_config()
    model = eg.Sequential([layer], input_shape=(4, 2), dtype="float32")
    X = np.random.default_rng(0).normal(size=(2, 4, 2))
    out = model.predict(X)
    assert out.dtype == np.float32 and layer.attention_weights.dtype == np.float32
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), out)
