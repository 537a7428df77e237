import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import engine as eg
from engine.layers.conv import Conv2D, axis_geometry
from engine.layers.pool import AvgPool2D, MaxPool2D

POOLS = {"max": MaxPool2D, "avg": AvgPool2D}

geometry = st.fixed_dictionaries({
    "h": st.integers(1, 6), "w": st.integers(1, 6),
    "ph": st.integers(1, 3), "pw": st.integers(1, 3),
    "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "padding": st.sampled_from(["valid", "same"]),
})


def gradient_error(model, X, y, training=False) -> float:
    return eg.gradcheck.check(model, X, y, training=training, relative_floor=1e-3)


def fits(g):
    return g["padding"] == "same" or (g["ph"] <= g["h"] and g["pw"] <= g["w"])


def reference_pool(x, kind, pool, strides, padding):
    """Loops over output pixels; windows are clipped to the real pixels (TF semantics)."""
    n, h, w, c = x.shape
    (ho, top, _), (wo, left, _) = (axis_geometry(h, pool[0], strides[0], padding),
                                   axis_geometry(w, pool[1], strides[1], padding))
    y = np.empty((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            win = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1], :]
            y[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return y


@pytest.mark.parametrize("kind", sorted(POOLS))
@given(g=geometry, seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_pool_after_conv_passes_gradcheck(kind, g, seed):
    assume(fits(g))
    rng = np.random.default_rng(seed)
    pool = POOLS[kind]((g["ph"], g["pw"]), strides=(g["sh"], g["sw"]), padding=g["padding"])
    model = eg.Sequential([Conv2D(2, 2, padding="same", activation="tanh"), pool,
                           eg.layers.Flatten(), eg.layers.Dense(2)],
                          input_shape=(g["h"], g["w"], 1), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    model.params[:] = rng.normal(scale=0.8, size=model.params.size)
    X = rng.normal(size=(2, g["h"], g["w"], 1))
    y = rng.normal(size=(2, 2))
    assert gradient_error(model, X, y) < 1e-6


@pytest.mark.parametrize("kind", sorted(POOLS))
@given(g=geometry, seed=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_forward_matches_the_definition(kind, g, seed):
    assume(fits(g))
    layer = POOLS[kind]((g["ph"], g["pw"]), strides=(g["sh"], g["sw"]), padding=g["padding"])
    eg.Sequential([layer], input_shape=(g["h"], g["w"], 2))
    x = np.random.default_rng(seed).normal(size=(3, g["h"], g["w"], 2))
    ref = reference_pool(x, kind, (g["ph"], g["pw"]), (g["sh"], g["sw"]), g["padding"])
    np.testing.assert_allclose(layer.forward(x), ref, rtol=1e-13, atol=1e-13)


def pool_with_input_grad(layer, shape):
    eg.Sequential([layer], input_shape=shape)
    layer.input_grad = True  # as if a layer with parameters came before
    return layer


def test_max_pool_ties_send_the_gradient_to_the_first_position():
    layer = pool_with_input_grad(MaxPool2D(2), (4, 4, 1))
    x = np.ones((1, 4, 4, 1))
    dx = layer.backward(np.ones_like(layer.forward(x)))
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1.0  # the top-left of each 2×2 window
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def test_overlapping_max_windows_add_their_gradients():
    layer = pool_with_input_grad(MaxPool2D(3, strides=1), (4, 4, 1))
    x = np.zeros((1, 4, 4, 1))
    x[0, 1, 1, 0] = 5.0  # the maximum of all four windows
    dx = layer.backward(np.ones_like(layer.forward(x)))
    assert dx[0, 1, 1, 0] == 4.0 and dx.sum() == 4.0


def test_avg_same_padding_does_not_count_the_padding():
    layer = pool_with_input_grad(AvgPool2D(2, padding="same"), (3, 3, 1))
    x = np.ones((1, 3, 3, 1))
    y = layer.forward(x)
    np.testing.assert_array_equal(y, np.ones((1, 2, 2, 1)))  # zeros would pull edges down
    dx = layer.backward(np.ones_like(y))
    assert dx.sum() == pytest.approx(4.0)  # each output spreads exactly its own gradient


def test_default_strides_equal_the_pool_size():
    layer = MaxPool2D((2, 3))
    assert layer.strides == (2, 3)
    assert eg.Sequential([layer], input_shape=(6, 7, 1)).output_shape == (3, 2, 1)


def test_first_layer_pool_returns_no_input_gradient():
    layer = MaxPool2D()
    eg.Sequential([layer], input_shape=(4, 4, 1))
    assert layer.backward(layer.forward(np.ones((1, 4, 4, 1)))) is None


@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("shape, message", [
    ((8,), "expects inputs of shape (n, h, w, c); got per-sample shape (8,)"),
    ((1, 5, 2), "pool_size 2×2 is larger than the input 1×5 with padding='valid'"),
])
def test_shape_errors_name_both_shapes(cls, shape, message):
    with pytest.raises(ValueError) as info:
        eg.Sequential([cls(2)], input_shape=shape)
    assert message in str(info.value)


@pytest.mark.parametrize("kwargs, message", [
    ({"pool_size": 0}, "pool_size must be"),
    ({"strides": (1, 2, 3)}, "strides must be"),
    ({"padding": "causal"}, "padding must be 'valid' or 'same'"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MaxPool2D(**kwargs)


@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
def test_config_round_trip(cls):
    layer = cls((2, 3), strides=(1, 2), padding="same")
    rebuilt = eg.layers.from_config({"class": cls.__name__, "config": layer.get_config()})
    assert type(rebuilt) is cls and rebuilt.get_config() == layer.get_config()
