import copy
import pickle

import numpy as np
import pytest

import engine as eg


def make_model(**kw):
    return eg.Sequential([eg.layers.Dense(4, activation="tanh"),
                          eg.layers.Dropout(0.2),
                          eg.layers.Dense(3, activation="softmax")], input_shape=(5,), **kw)


def layer_views(model):
    return [(layer, name) for layer in model.layers for name in layer.param_names]


def test_param_spec_covers_the_flat_vector_in_order():
    m = make_model()
    spec = m.param_spec
    assert [(s.layer, s.name, s.shape) for s in spec] == [
        ("dense_0", "W", (5, 4)), ("dense_0", "b", (4,)),
        ("dense_1", "W", (4, 3)), ("dense_1", "b", (3,))]
    assert spec[0].slice.start == 0
    for a, b in zip(spec[:-1], spec[1:]):
        assert a.slice.stop == b.slice.start
    assert spec[-1].slice.stop == m.params.size == m.grads.size == 5 * 4 + 4 + 4 * 3 + 3
    layer, name, sl, shape = spec[0]  # a plain 4-tuple, unpackable
    assert (layer, name, shape) == ("dense_0", "W", (5, 4)) and isinstance(sl, slice)


def test_layer_tensors_are_views_written_in_place():
    m = make_model()
    for layer, name in layer_views(m):
        assert np.shares_memory(getattr(layer, name), m.params)
        assert np.shares_memory(getattr(layer, "d" + name), m.grads)
    m.params[:] = np.arange(m.params.size)
    W = m.layers[0].W
    assert W[0, 0] == 0 and W[0, 1] == 1 and W.shape == (5, 4)
    m.layers[2].b[...] = -7.0
    assert np.all(m.params[m.param_spec[3].slice] == -7.0)


@pytest.mark.parametrize("how", ["deepcopy", "pickle", "copy_method"])
def test_views_survive_copies(how):
    m = make_model()
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    if how == "deepcopy":
        c = copy.deepcopy(m)
    elif how == "pickle":
        c = pickle.loads(pickle.dumps(m))
    else:
        c = m.copy()
    assert not np.shares_memory(c.params, m.params)
    np.testing.assert_array_equal(c.params, m.params)
    for layer, name in layer_views(c):
        assert np.shares_memory(getattr(layer, name), c.params)
        assert np.shares_memory(getattr(layer, "d" + name), c.grads)
    c.params += 1.0
    np.testing.assert_array_equal(c.layers[0].W, m.layers[0].W + 1.0)
    # the copy trains on its own
    X = np.random.default_rng(0).normal(size=(6, 5))
    y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    before = m.params.copy()
    c.fit(X, y, epochs=2, batch_size=3)
    np.testing.assert_array_equal(m.params, before)


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = make_model(seed=3), make_model(seed=3), make_model(seed=4)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_biases_start_at_zero_and_kernels_do_not():
    m = make_model()
    for s in m.param_spec:
        part = m.params[s.slice]
        assert np.all(part == 0) if s.name == "b" else np.any(part != 0)


def test_reinitialize_keeps_the_same_array():
    m = make_model(seed=1)
    buf = m.params
    first = m.params.copy()
    m.params[:] = 0
    m.reinitialize()
    assert m.params is buf
    np.testing.assert_array_equal(m.params, first)
    m.reinitialize(seed=2)
    assert not np.array_equal(m.params, first)
