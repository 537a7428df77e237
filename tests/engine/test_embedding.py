import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine import sequences
from engine.layers.embedding import Embedding
from engine.layers.recurrent import LSTM


def gradient_error(model, X, y, training=False) -> float:
    return eg.gradcheck.check(model, X, y, training=training, relative_floor=1e-3)


@given(seed=st.integers(0, 2**16), n=st.integers(1, 4), T=st.integers(1, 4),
       vocab=st.integers(1, 5), dim=st.integers(1, 3))
@settings(max_examples=25, deadline=None)
def test_embedding_passes_gradcheck_with_repeated_ids(seed, n, T, vocab, dim):
    rng = np.random.default_rng(seed)
    model = eg.Sequential([Embedding(vocab, dim), eg.layers.Flatten(),
                           eg.layers.Dense(2)], input_shape=(T,), seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    model.params[:] = rng.normal(scale=0.8, size=model.params.size)
    X = rng.integers(0, vocab, (n, T))  # small vocabularies: ids repeat
    y = rng.normal(size=(n, 2))
    assert gradient_error(model, X, y) < 1e-6


def test_forward_is_a_lookup_and_backward_scatter_adds():
    layer = Embedding(4, 2)
    eg.Sequential([layer], input_shape=(3,))
    ids = np.array([[0, 2, 2], [3, 2, 0]])
    np.testing.assert_array_equal(layer.forward(ids), layer.E[ids])
    dy = np.arange(12.0).reshape(2, 3, 2)
    assert layer.backward(dy) is None  # ids have no gradient
    one_hot = np.eye(4)[ids.ravel()]
    np.testing.assert_array_equal(layer.dE, one_hot.T @ dy.reshape(-1, 2))
    assert np.all(layer.dE[1] == 0.0)


def test_float_ids_from_the_model_are_accepted():
    layer = Embedding(5, 3)
    eg.Sequential([layer], input_shape=(2,))
    np.testing.assert_array_equal(layer.forward(np.array([[1.0, 4.0]])), layer.E[[[1, 4]]])


@pytest.mark.parametrize("ids, message", [
    (np.array([[0, 5]]), r"ids must be in \[0, 4\] \(input_dim=5\); got id 5"),
    (np.array([[-1, 0]]), "got id -1"),
    (np.array([[0.5, 1.0]]), "integer ids; got the non-integer value 0.5"),
])
def test_bad_ids(ids, message):
    layer = Embedding(5, 3)
    eg.Sequential([layer], input_shape=(2,))
    with pytest.raises(ValueError, match=message):
        layer.forward(ids)


def test_must_come_before_layers_with_parameters():
    with pytest.raises(ValueError, match="must come before every layer with parameters"):
        eg.Sequential([eg.layers.Dense(3), Embedding(4, 2)], input_shape=(3,))


def test_forward_with_the_wrong_shape_names_both():
    layer = Embedding(5, 3)
    eg.Sequential([layer], input_shape=(4,))
    with pytest.raises(ValueError, match=r"built for ids of shape \(n, 4\); got shape \(2, 3\)"):
        layer.forward(np.zeros((2, 3), int))


@pytest.mark.parametrize("kwargs, message", [
    ({"input_dim": 0, "output_dim": 2}, "input_dim must be a positive integer, got 0"),
    ({"input_dim": 3, "output_dim": 2.5}, "output_dim must be a positive integer, got 2.5"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Embedding(**kwargs)


def test_keras_initialisation_and_config_round_trip():
    layer = Embedding(30, 8)
    eg.Sequential([layer], input_shape=(4,))
    assert np.abs(layer.E).max() <= 0.05
    rebuilt = eg.layers.from_config({"class": "Embedding", "config": layer.get_config()})
    assert rebuilt.get_config() == layer.get_config()
    other = Embedding(3, 2, embeddings_initializer="glorot_normal")
    assert other.get_config()["embeddings_initializer"] == "glorot_normal"


def test_next_char_trains_end_to_end():
    data = sequences.make("next_char", 300, 6, seed=0)
    model = eg.Sequential([Embedding(len(data.vocab), 8), LSTM(16),
                           eg.layers.Dense(data.output_units, activation="softmax")],
                          input_shape=data.X.shape[1:], seed=0)
    model.compile(optimizer=eg.optim.Adam(lr=0.02), loss=data.loss, metrics=["accuracy"])
    history = model.fit(data.X, data.y, epochs=15, batch_size=32)
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0]
