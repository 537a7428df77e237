import pickle
import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import engine as eg
from engine.layers.conv import Conv2D, axis_geometry
from engine.layers.pool import MaxPool2D


def gradient_error(model, X, y, training=False) -> float:
    return eg.gradcheck.check(model, X, y, training=training, relative_floor=1e-3)


def reference_conv(x, W, b, strides, pads):
    """Direct definition: loops over output pixels on an explicitly padded input."""
    top, bottom, left, right = pads
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw, _, f = W.shape
    sh, sw = strides
    ho = (xp.shape[1] - kh) // sh + 1
    wo = (xp.shape[2] - kw) // sw + 1
    y = np.empty((x.shape[0], ho, wo, f))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            y[:, i, j, :] = np.einsum("npqc,pqcf->nf", patch, W) + b
    return y


def tf_same(size, k, s):
    """TensorFlow's "same" rule, written out independently."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


geometry = st.fixed_dictionaries({
    # c = 5 takes the (n·ho·wo, K) column layout, c <= 4 the transposed one
    "h": st.integers(1, 6), "w": st.integers(1, 6), "c": st.sampled_from([1, 2, 5]),
    "kh": st.integers(1, 3), "kw": st.integers(1, 3),
    "sh": st.integers(1, 2), "sw": st.integers(1, 2),
    "padding": st.sampled_from(["valid", "same"]),
})


@given(g=geometry, f=st.integers(1, 2), seed=st.integers(0, 2**16), n=st.integers(1, 3))
@settings(max_examples=40, deadline=None)
def test_conv_stack_passes_gradcheck(g, f, seed, n):
    assume(g["padding"] == "same" or (g["kh"] <= g["h"] and g["kw"] <= g["w"]))
    rng = np.random.default_rng(seed)
    first = Conv2D(f, (g["kh"], g["kw"]), strides=(g["sh"], g["sw"]), padding=g["padding"],
                   activation="tanh")
    # The second layer makes the first one's dx (col2im) part of the checked gradient.
    second = Conv2D(2, (g["kw"], g["kh"]), strides=(g["sw"], g["sh"]), padding="same")
    model = eg.Sequential([first, second], input_shape=(g["h"], g["w"], g["c"]), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    model.params[:] = rng.normal(scale=0.7, size=model.params.size)
    X = rng.normal(size=(n, g["h"], g["w"], g["c"]))
    y = rng.normal(size=(n, *model.output_shape))
    assert gradient_error(model, X, y) < 1e-6


@given(g=geometry, seed=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_forward_matches_the_definition_and_tf_same_padding(g, seed):
    assume(g["padding"] == "same" or (g["kh"] <= g["h"] and g["kw"] <= g["w"]))
    rng = np.random.default_rng(seed)
    layer = Conv2D(3, (g["kh"], g["kw"]), strides=(g["sh"], g["sw"]), padding=g["padding"])
    eg.Sequential([layer], input_shape=(g["h"], g["w"], g["c"]), seed=seed)
    layer.b[:] = rng.normal(size=3)
    x = rng.normal(size=(2, g["h"], g["w"], g["c"]))
    if g["padding"] == "same":
        (ho, top, bottom), (wo, left, right) = (tf_same(g["h"], g["kh"], g["sh"]),
                                                tf_same(g["w"], g["kw"], g["sw"]))
        assert layer.output_shape == (ho, wo, 3)
    else:
        top = bottom = left = right = 0
    ref = reference_conv(x, layer.W, layer.b, (g["sh"], g["sw"]), (top, bottom, left, right))
    np.testing.assert_allclose(layer.forward(x), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size, k, s, expected", [
    (5, 3, 2, (3, 1, 1)),
    (6, 3, 2, (3, 0, 1)),   # odd total: the extra row goes to the bottom/right
    (4, 1, 2, (2, 0, 0)),
    (7, 4, 1, (7, 1, 2)),
    (1, 3, 1, (1, 1, 1)),
])
def test_same_padding_geometry_is_tensorflows(size, k, s, expected):
    assert axis_geometry(size, k, s, "same") == expected


def test_input_gradient_is_skipped_for_the_first_layer():
    layer = Conv2D(2, 3)
    eg.Sequential([layer], input_shape=(5, 5, 1))
    x = np.ones((1, 5, 5, 1))
    assert layer.backward(np.ones_like(layer.forward(x))) is None
    assert np.all(layer.dW == 9.0)  # each weight saw a 1 at each of the 3×3 outputs
    assert np.all(layer.db == 9.0)


def test_float32_model_stays_float32():
    layer = Conv2D(4, 3, strides=2, padding="same", activation="relu")
    model = eg.Sequential([Conv2D(2, 2), layer], input_shape=(7, 7, 3), dtype="float32")
    model.compile(optimizer="sgd", loss="mse")
    X = np.random.default_rng(0).normal(size=(2, 7, 7, 3))
    _, grad = model.loss_and_grad(model.params, X, np.zeros((2, *model.output_shape)))
    assert model.predict(X).dtype == np.float32 and grad.dtype == np.float32


@pytest.mark.parametrize("shape, message", [
    ((10,), "Conv2D expects inputs of shape (n, h, w, c); got per-sample shape (10,)"),
    ((3, 3, 1), "kernel 5×5 is larger than the input 3×3 with padding='valid'"),
])
def test_shape_errors_name_both_shapes(shape, message):
    with pytest.raises(ValueError) as info:
        eg.Sequential([Conv2D(2, 5)], input_shape=shape)
    assert message in str(info.value)


def test_forward_with_the_wrong_shape_names_both():
    layer = Conv2D(2, 3)
    eg.Sequential([layer], input_shape=(5, 5, 1))
    with pytest.raises(ValueError, match=r"built for inputs of shape \(n, 5, 5, 1\); got shape "
                                         r"\(2, 6, 5, 1\)"):
        layer.forward(np.zeros((2, 6, 5, 1)))


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, "filters must be a positive integer, got 0"),
    ({"filters": 2, "kernel_size": (3, 0)}, "kernel_size must be"),
    ({"filters": 2, "kernel_size": 3, "strides": 0}, "strides must be"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, "padding must be 'valid' or 'same'"),
    ({"filters": 2, "kernel_size": 3, "activation": "nope"}, "unknown activation"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(**kwargs)


def test_config_round_trip_and_copy():
    layer = Conv2D(3, (2, 3), strides=(1, 2), padding="same", activation="relu",
                   use_bias=False, kernel_initializer="he_normal")
    cfg = {"class": "Conv2D", "config": layer.get_config()}
    assert eg.layers.from_config(cfg).get_config() == layer.get_config()
    model = eg.Sequential([layer, eg.layers.Flatten(), eg.layers.Dense(2)],
                          input_shape=(5, 6, 2), seed=3)
    X = np.random.default_rng(0).normal(size=(4, 5, 6, 2))
    before = model.predict(X)
    twin = pickle.loads(pickle.dumps(model))
    rebuilt = eg.Sequential.from_config(model.get_config())
    rebuilt.set_params(model.params)
    np.testing.assert_array_equal(twin.predict(X), before)
    np.testing.assert_array_equal(rebuilt.predict(X), before)
    assert not any(k.startswith(("_buf", "_cache")) for k in layer.__getstate__())


def bars(n, rng, size=8):
    """Horizontal (class 0) or vertical (class 1) bright bar at a random position, on noise."""
    X = rng.normal(0.0, 0.3, (n, size, size, 1))
    labels = rng.integers(0, 2, n)
    pos = rng.integers(0, size, n)
    rows = np.arange(n)
    horizontal = labels == 0
    X[rows[horizontal], pos[horizontal], :, 0] += 1.0
    X[rows[~horizontal], :, pos[~horizontal], 0] += 1.0
    return X, np.eye(2)[labels]


def test_small_cnn_learns_bars_quickly():
    rng = np.random.default_rng(0)
    X, y = bars(400, rng)
    Xt, yt = bars(200, rng)
    model = eg.Sequential([Conv2D(8, 3, activation="relu"), MaxPool2D(), eg.layers.Flatten(),
                           eg.layers.Dense(2, activation="softmax")],
                          input_shape=(8, 8, 1), seed=0)
    model.compile(optimizer=eg.optim.Adam(lr=0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(X, y, epochs=8, batch_size=32)
    elapsed = time.perf_counter() - start
    assert model.evaluate(Xt, yt)["accuracy"] >= 0.95
    assert elapsed < 10.0
