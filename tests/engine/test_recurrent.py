import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

import engine as eg
from engine import sequences
from engine.layers.recurrent import LSTM, SimpleRNN

CELLS = {"rnn": SimpleRNN, "lstm": LSTM}


def gradient_error(model, X, y, training=False) -> float:
    return eg.gradcheck.check(model, X, y, training=training, relative_floor=1e-3)


@pytest.mark.parametrize("cell", sorted(CELLS))
@given(seed=st.integers(0, 2**16), n=st.integers(1, 3), T=st.integers(1, 4),
       features=st.integers(1, 3), units=st.integers(1, 3), sequences_out=st.booleans())
@settings(max_examples=25, deadline=None)
def test_stacked_cells_pass_gradcheck(cell, seed, n, T, features, units, sequences_out):
    rng = np.random.default_rng(seed)
    cls = CELLS[cell]
    # The first layer returns sequences so the second one's dx is part of the check.
    model = eg.Sequential([cls(units, return_sequences=True),
                           cls(2, return_sequences=sequences_out)],
                          input_shape=(T, features), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    model.params[:] = rng.normal(scale=0.6, size=model.params.size)
    X = rng.normal(size=(n, T, features))
    y = rng.normal(size=(n, *model.output_shape))
    assert gradient_error(model, X, y) < 1e-6


def reference_lstm(x, W, U, b):
    """Keras' LSTM step by step, written from the equations (gate order i, f, c, o)."""
    n, T, _ = x.shape
    u = U.shape[0]
    h, c = np.zeros((n, u)), np.zeros((n, u))
    hs, cs, gates = [], [], []
    for t in range(T):
        z = x[:, t] @ W + h @ U + b
        i, f = special.expit(z[:, :u]), special.expit(z[:, u:2 * u])
        g, o = np.tanh(z[:, 2 * u:3 * u]), special.expit(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
        gates.append((i, f, g, o))
    return np.stack(hs, 1), np.stack(cs, 1), [np.stack(k, 1) for k in zip(*gates, strict=True)]


def test_lstm_matches_the_equations_and_exposes_its_gates():
    rng = np.random.default_rng(0)
    layer = LSTM(3, return_sequences=True)
    eg.Sequential([layer], input_shape=(5, 2))
    layer.b[:] = rng.normal(size=12)
    x = rng.normal(size=(4, 5, 2))
    assert layer.gates is None and layer.hidden_states is None
    y = layer.forward(x)
    h, c, (i, f, g, o) = reference_lstm(x, layer.W, layer.U, layer.b)
    np.testing.assert_allclose(y, h, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(layer.hidden_states, h, rtol=1e-13, atol=1e-14)
    gates = layer.gates
    assert sorted(gates) == ["candidate", "cell", "forget", "input", "output"]
    for key, ref in (("input", i), ("forget", f), ("candidate", g), ("output", o),
                     ("cell", c)):
        assert gates[key].shape == (4, 5, 3)
        np.testing.assert_allclose(gates[key], ref, rtol=1e-13, atol=1e-14)
    with pytest.raises(ValueError):
        gates["input"][0, 0, 0] = 1.0  # the views are read-only


def test_simple_rnn_keeps_its_hidden_states_and_returns_the_last():
    rng = np.random.default_rng(1)
    layer = SimpleRNN(4, activation="tanh")
    eg.Sequential([layer], input_shape=(3, 2))
    x = rng.normal(size=(2, 3, 2))
    y = layer.forward(x)
    h = np.zeros((2, 4))
    for t in range(3):
        h = np.tanh(x[:, t] @ layer.W + h @ layer.U + layer.b)
        np.testing.assert_allclose(layer.hidden_states[:, t], h, rtol=1e-13)
    np.testing.assert_allclose(y, h, rtol=1e-13)
    assert y.shape == (2, 4) and layer.hidden_states.shape == (2, 3, 4)


def test_keras_initialisation():
    layer = LSTM(4)
    eg.Sequential([layer], input_shape=(3, 2), seed=5)
    assert layer.W.shape == (2, 16) and layer.U.shape == (4, 16) and layer.b.shape == (16,)
    np.testing.assert_array_equal(layer.b, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    # orthogonal recurrent kernel (4, 16): its rows are orthonormal
    np.testing.assert_allclose(layer.U @ layer.U.T, np.eye(4), atol=1e-12)
    plain = LSTM(4, unit_forget_bias=False)
    eg.Sequential([plain], input_shape=(3, 2))
    assert np.all(plain.b == 0.0)
    rnn = SimpleRNN(5)
    eg.Sequential([rnn], input_shape=(3, 2))
    np.testing.assert_allclose(rnn.U.T @ rnn.U, np.eye(5), atol=1e-12)


def test_output_is_a_copy_so_writing_to_it_cannot_corrupt_backward():
    rng = np.random.default_rng(2)
    model = eg.Sequential([LSTM(3, return_sequences=True), LSTM(2)], input_shape=(4, 2))
    model.compile(optimizer="sgd", loss="mse")
    X, y = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 2))
    _, before = model.loss_and_grad(model.params, X, y)
    out = model.layers[0].forward(model._prepare_x(X), False)
    out[...] = 0.0
    assert np.any(model.layers[0].hidden_states != 0.0)
    _, after = model.loss_and_grad(model.params, X, y)
    np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM])
def test_given_2d_inputs_the_error_names_both_shapes(cls):
    with pytest.raises(ValueError) as info:
        eg.Sequential([cls(3)], input_shape=(5,))
    assert f"{cls.__name__} expects inputs of shape (n, timesteps, features); got per-sample " \
           "shape (5,)" in str(info.value)


@pytest.mark.parametrize("kwargs, message", [
    ({"units": 0}, "units must be a positive integer, got 0"),
    ({"units": 2, "recurrent_initializer": "nope"}, "unknown initializer"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LSTM(**kwargs)


@pytest.mark.parametrize("layer", [SimpleRNN(3, activation="relu", return_sequences=True),
                                   LSTM(2, unit_forget_bias=False,
                                        recurrent_initializer="glorot_uniform")])
def test_config_round_trip_and_pickle(layer):
    name = type(layer).__name__
    rebuilt = eg.layers.from_config({"class": name, "config": layer.get_config()})
    assert rebuilt.get_config() == layer.get_config()
    model = eg.Sequential([layer], input_shape=(3, 2), seed=1)
    X = np.random.default_rng(0).normal(size=(2, 3, 2))
    twin = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(twin.predict(X), model.predict(X))


def test_float32_lstm_stays_float32():
    model = eg.Sequential([LSTM(3)], input_shape=(4, 2), dtype="float32")
    model.compile(optimizer="sgd", loss="mse")
    X = np.ones((2, 4, 2))
    _, grad = model.loss_and_grad(model.params, X, np.zeros((2, 3)))
    assert model.predict(X).dtype == np.float32 and grad.dtype == np.float32
    assert model.layers[0].gates["cell"].dtype == np.float32


def test_lstm_learns_parity_of_short_sequences():
    data = sequences.make("parity", 400, 4, seed=0)
    X, y, Xt, yt = data.split(0.75)
    model = eg.Sequential([LSTM(16), eg.layers.Dense(1, activation="sigmoid")],
                          input_shape=X.shape[1:], seed=0)
    model.compile(optimizer=eg.optim.Adam(lr=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, y, epochs=40, batch_size=32)
    assert model.evaluate(Xt, yt)["accuracy"] >= 0.95


def test_rnn_predicts_the_next_sine_value():
    data = sequences.make("sine", 300, 10, seed=1, noise=0.02)
    X, y, Xt, yt = data.split(0.75)
    model = eg.Sequential([SimpleRNN(16), eg.layers.Dense(1)], input_shape=X.shape[1:], seed=0)
    model.compile(optimizer=eg.optim.Adam(lr=0.01), loss="mse")
    model.fit(X, y, epochs=30, batch_size=32)
    assert model.evaluate(Xt, yt)["loss"] < 0.05 * float(np.var(yt))
