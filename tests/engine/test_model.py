import numpy as np
import pytest

import engine as eg
from engine.datasets import make

L = eg.layers


def xor_data():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def test_xor_reaches_100_percent():
    X, y = xor_data()
    m = eg.Sequential([L.Dense(8, activation="tanh"), L.Dense(1, activation="sigmoid")],
                      input_shape=(2,), seed=0)
    m.compile(optimizer=eg.optim.Adam(lr=0.05), loss="binary_crossentropy",
              metrics=["accuracy"])
    m.fit(X, y, epochs=300, batch_size=4)
    assert m.evaluate(X, y)["accuracy"] == 1.0


def test_seed_lesson_two_layer_sigmoid_network_learns_xor_with_plain_gd():
    # The lesson: two sigmoid layers, plain gradient descent (full batch), learning rate 0.5.
    X, y = xor_data()
    m = eg.Sequential([L.Dense(4, activation="sigmoid", kernel_initializer="he_normal"),
                       L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=1)
    m.compile(optimizer=eg.optim.SGD(lr=0.5), loss="mse", metrics=["accuracy"])
    hist = m.fit(X, y, epochs=6000, batch_size=None, shuffle=False)
    assert hist.history["loss"][-1] < 0.02
    np.testing.assert_array_equal(m.predict(X) > 0.5, y > 0.5)


def test_two_moons_reaches_97_percent():
    ds = make("two_moons", n_samples=400, noise=0.1, seed=0)
    m = eg.Sequential([L.Dense(16, activation="relu"), L.Dense(16, activation="relu"),
                       L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=0)
    m.compile(optimizer=eg.optim.Adam(lr=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
    m.fit(ds.X, ds.y, epochs=60, batch_size=32)
    assert m.evaluate(ds.X, ds.y)["accuracy"] >= 0.97


def test_softmax_classifier_with_sparse_labels_and_validation():
    ds = make("gauss", n_samples=300, noise=0.0, seed=1)
    labels = ds.y[:, 0]
    m = eg.Sequential([L.Dense(2, activation="softmax")], input_shape=(2,), seed=0)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seen = []
    hist = m.fit(ds.X, labels, epochs=30, batch_size=16, validation_data=(ds.X, labels),
                 callbacks=[lambda epoch, logs: seen.append((epoch, logs["val_loss"]))])
    assert hist.epoch == list(range(30)) and len(seen) == 30
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(hist.history)
    assert hist.history["val_accuracy"][-1] > 0.95
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_callback_can_stop_training():
    X, y = xor_data()
    m = eg.Sequential([L.Dense(1, activation="sigmoid")], input_shape=(2,))
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    hist = m.fit(X, y, epochs=50, on_epoch_end=lambda epoch, logs: epoch == 2)
    assert hist.epoch == [0, 1, 2] and hist.stopped_reason == "stopped by a callback"


def test_float32_is_kept_end_to_end():
    ds = make("circle", n_samples=100, seed=0)
    m = eg.Sequential([L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")],
                      input_shape=(2,), dtype="float32")
    m.compile(optimizer="rmsprop", loss="binary_crossentropy")
    m.fit(ds.X, ds.y, epochs=2)
    assert m.params.dtype == np.float32 and m.grads.dtype == np.float32
    assert m.predict(ds.X).dtype == np.float32
    assert m.optimizer.state["square_avg"].dtype == np.float32


def test_loss_and_grad_plugs_into_scipy():
    from scipy.optimize import minimize

    X, y = xor_data()
    m = eg.Sequential([L.Dense(6, activation="tanh"), L.Dense(1, activation="sigmoid")],
                      input_shape=(2,), seed=3)
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    res = minimize(m.loss_and_grad, m.params.copy(), args=(X, y), jac=True, method="L-BFGS-B",
                   options={"maxiter": 500})
    m.set_params(res.x)
    assert res.fun < 0.05 and m.evaluate(X, y)["accuracy"] == 1.0


def test_loss_and_grad_returns_a_copy_and_sets_params():
    X, y = xor_data()
    m = eg.Sequential([L.Dense(1, activation="sigmoid")], input_shape=(2,))
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    theta = np.full(m.params.size, 0.3)
    loss, g = m.loss_and_grad(theta, X, y)
    assert g is not m.grads and np.array_equal(m.params, theta)
    z = X @ np.full((2, 1), 0.3) + 0.3
    p = 1 / (1 + np.exp(-z))
    assert loss == pytest.approx(float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))))


def test_l2_penalty_is_added_to_the_reported_loss():
    X, y = xor_data()
    m = eg.Sequential([L.Dense(2), L.Dense(1)], input_shape=(2,), seed=0)
    m.compile(optimizer="sgd", loss="mse")
    plain = m.evaluate(X, y)["loss"]
    m.compile(optimizer="sgd", loss="mse", l2=0.1)
    kernels = np.concatenate([m.layers[0].W.ravel(), m.layers[1].W.ravel()])
    assert m.evaluate(X, y)["loss"] == pytest.approx(plain + 0.1 * kernels @ kernels)


def test_compile_aliases_use_keras_defaults():
    m = eg.Sequential([L.Dense(1)], input_shape=(2,))
    m.compile(optimizer="rmsprop", loss="mse")
    opt = m.optimizer
    assert (opt.lr, opt.alpha, opt.eps, opt.eps_inside_sqrt) == (1e-3, 0.9, 1e-7, True)
    m.compile(optimizer="sgd", loss="mse")
    assert m.optimizer.lr == 0.01


def test_summary_and_config_round_trip():
    m = eg.Sequential([L.Dense(4, activation="relu"), L.Dropout(0.1), L.Dense(2)],
                      input_shape=(3,), seed=5)
    text = m.summary()
    assert "dense_0" in text and "total parameters: 26" in text
    again = eg.Sequential.from_config(m.get_config())
    np.testing.assert_array_equal(again.params, m.params)


@pytest.mark.parametrize("build, message", [
    (lambda: eg.Sequential([]), "at least one layer, got an empty list"),
    (lambda: eg.Sequential([L.Dense(2), "relu"]), "item 1 of the layer list is str"),
    (lambda: eg.Sequential(L.Dense(2)), "takes a list of layers"),
    (lambda: eg.Sequential([L.Dense(2)], dtype="int32"), "float32 or float64, got int32"),
    (lambda: eg.Sequential([L.Dense(2)], input_shape=(0,)), "positive sizes"),
    (lambda: eg.Sequential([L.Dense(2, name="a"), L.Dense(2, name="a")], input_shape=(2,)),
     "two layers are named 'a'"),
])
def test_bad_construction(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def compiled(loss="binary_crossentropy", out_act="sigmoid", units=1):
    m = eg.Sequential([L.Dense(4, activation="tanh"), L.Dense(units, activation=out_act)],
                      input_shape=(2,))
    m.compile(optimizer="sgd", loss=loss)
    return m


def test_bad_data_messages_say_what_was_received_and_expected():
    m = compiled()
    X, y = np.zeros((5, 2)), np.zeros((5, 1))
    with pytest.raises(ValueError, match=r"inputs have shape \(5, 3\); the model expects "
                                         r"\(n, 2\)"):
        m.fit(np.zeros((5, 3)), y)
    with pytest.raises(ValueError, match="got 4 targets for 5 samples"):
        m.fit(X, np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"targets have shape \(5, 2\) but the model outputs "
                                         r"\(5, 1\)"):
        m.fit(X, np.zeros((5, 2)))
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="inputs contain NaN or infinite values"):
        m.fit(bad, y)
    with pytest.raises(ValueError, match="targets contain NaN"):
        m.fit(X, np.full((5, 1), np.inf))
    with pytest.raises(TypeError, match="inputs must be numeric, got dtype <U1"):
        m.predict(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        m.fit(X, y, batch_size=0)


def test_loss_that_does_not_fit_the_output_is_refused():
    with pytest.raises(ValueError, match="categorical_crossentropy needs an output of at least 2"):
        compiled("categorical_crossentropy", "softmax", units=1)
    with pytest.raises(ValueError, match="expects a softmax output layer, but the last layer's "
                                         "activation is 'relu'"):
        compiled("categorical_crossentropy", "relu", units=3)
    with pytest.raises(ValueError, match="binary_crossentropy expects probabilities"):
        compiled("binary_crossentropy", "linear")


def test_bad_optimizer_and_lr():
    m = eg.Sequential([L.Dense(1)], input_shape=(2,))
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        m.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="lr must be > 0, got -0.1"):
        eg.optim.SGD(lr=-0.1)
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        m.compile(optimizer="sgd", loss="msee")
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0, got -1"):
        m.compile(optimizer="sgd", loss="mse", l2=-1)
    with pytest.raises(RuntimeError, match="not compiled"):
        eg.Sequential([L.Dense(1)], input_shape=(2,)).fit(np.zeros((2, 2)), np.zeros((2, 1)))


def test_divergence_in_fit_stops_with_a_reason():
    X, y = xor_data()
    m = eg.Sequential([L.Dense(8, activation="relu"), L.Dense(1)], input_shape=(2,), seed=0)
    m.compile(optimizer=eg.optim.SGD(lr=1e3), loss="mse")
    with np.errstate(all="ignore"):
        hist = m.fit(X * 100, y, epochs=100, batch_size=4)
    assert len(hist.epoch) < 100
    assert "non-finite" in hist.stopped_reason
