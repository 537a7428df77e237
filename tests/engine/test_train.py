import numpy as np
import pytest

import engine as eg
from engine.datasets import make
from engine.train import HistogramBins, Series

L = eg.layers


def trainer(lr=0.03, opt=None, **kw):
    ds = make("spiral", n_samples=200, noise=0.0, seed=0)
    Xtr, ytr, Xte, yte = ds.split(0.5, seed=0)
    m = eg.Sequential([L.Dense(8, activation="tanh"), L.Dense(8, activation="tanh"),
                       L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=0)
    m.compile(optimizer=opt or eg.optim.Adam(lr=lr), loss="binary_crossentropy",
              metrics=["accuracy"])
    return eg.Trainer(m, Xtr, ytr, Xte, yte, **kw)


def test_step_counts_and_epochs():
    t = trainer(batch_size=10)  # 100 training points: 10 steps per epoch
    assert t.step_count == 0 and t.epoch == 0
    m = t.step(1)
    assert m["step"] == 1 and t.step_count == 1
    t.step(9)
    assert t.step_count == 10 and t.epoch == 0
    t.step(1)
    assert t.epoch == 1
    t.step_epoch()
    assert t.step_count == 20 and t.epoch == 1
    t.step_epoch()
    assert t.step_count == 30 and t.epoch == 2


def test_one_step_changes_params_by_one_optimizer_update():
    t = trainer(opt=eg.optim.SGD(lr=0.1), batch_size=10, shuffle=False)
    before = t.model.params.copy()
    xb, yb = t.X[:10], t.y[:10]
    _, g = t.model.loss_and_grad(before, xb, yb)
    t.model.set_params(before)
    t.step(1)
    np.testing.assert_allclose(t.model.params, before - 0.1 * g, rtol=1e-13, atol=1e-15)


def test_run_respects_the_time_budget_and_learns():
    t = trainer(batch_size=10)
    first = t.metrics()["train_loss"]
    m = t.run(0.3)
    assert m["step"] >= 1 and m["steps_per_second"] > 0
    assert m["train_loss"] < first
    assert t.run(0.0)["step"] == m["step"] + 1  # at least one step, even with no budget
    m = t.run(5.0, max_steps=7)
    assert t.step_count == m["step"]


def test_history_series_and_histograms():
    t = trainer(batch_size=10, record_every=5, histogram_every=5, snapshot_every=5,
                histogram_bins=12)
    t.step(50)
    h = t.history
    assert h.train_loss.steps[:3] == [0, 5, 10] and h.train_loss.steps[-1] == 50
    assert len(h.test_loss) == len(h.train_loss) and len(h.train_accuracy) == len(h.train_loss)
    assert set(h.grad_norm) == {"dense_0", "dense_1", "dense_2"}
    assert len(h.batch_loss) == 50
    for name, series in h.weight_hist.items():
        counts = series.values[-1]
        assert counts.shape == (12,)
        assert counts.sum() == t.model.layer_params(name)["W"].size
    assert len(h.grad_hist["dense_0"]) == 10  # steps 5..50
    traj = t.trajectory()
    assert traj.shape == (11, t.model.n_params)
    np.testing.assert_array_equal(traj[0], t.initial_params)
    np.testing.assert_array_equal(traj[-1], t.model.params)


def test_series_is_bounded_and_keeps_the_whole_run():
    s = Series(capacity=8)
    for i in range(1000):
        s.add(i, float(i))
    assert len(s) <= 8 and s.steps[0] == 0 and s.steps[-1] == 999
    assert all(b > a for a, b in zip(s.steps, s.steps[1:]))


def test_histogram_bins_are_fixed_and_clip_outliers():
    bins = HistogramBins.symmetric(np.array([-1.0, 1.0]), bins=4)
    np.testing.assert_allclose(bins.edges, [-2, -1, 0, 1, 2])
    np.testing.assert_array_equal(bins.counts(np.array([-5.0, -1.5, 0.5, 0.5, 9.0])),
                                  [2, 0, 2, 1])


def test_divergence_keeps_the_last_finite_params_and_says_why():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 2)) * 10, rng.normal(size=(50, 1))
    m = eg.Sequential([L.Dense(16, activation="relu"), L.Dense(1)], input_shape=(2,), seed=0)
    m.compile(optimizer=eg.optim.SGD(lr=5.0), loss="mse")
    t = eg.Trainer(m, X, y, batch_size=50)
    with np.errstate(all="ignore"):
        m = t.step(500)
    assert t.diverged and m["state"] == "diverged"
    assert np.all(np.isfinite(t.model.params))
    assert "lower the learning rate" in m["divergence_reason"]
    steps = t.step_count
    t.step(5)
    assert t.step_count == steps  # a diverged trainer does not move until reset
    t.reset()
    assert not t.diverged and t.step_count == 0


def test_reset_returns_to_the_initial_weights_and_clears_history():
    t = trainer(batch_size=10)
    start = t.model.params.copy()
    t.step(30)
    t.reset()
    np.testing.assert_array_equal(t.model.params, start)
    assert t.step_count == 0 and len(t.history.batch_loss) == 0
    assert t.model.optimizer.t == 0


def test_learning_rate_and_batch_size_change_without_reset():
    t = trainer(batch_size=10)
    t.step(5)
    t.model.optimizer.lr = 0.001
    t.set_batch_size(None)
    t.step(1)
    assert t.step_count == 6 and t.metrics()["lr"] == 0.001
    with pytest.raises(ValueError, match="batch_size must be a positive integer or None, got 0"):
        t.set_batch_size(0)


def test_callbacks_record_extra_series():
    t = trainer(batch_size=10)
    t.add_callback("weight_norm", 4, lambda tr: float(np.linalg.norm(tr.model.params)))
    t.step(12)
    assert t.history.extra["weight_norm"].steps == [0, 4, 8, 12]
    assert t.remove_callback("weight_norm") and not t.remove_callback("weight_norm")
    t.step(4)
    assert t.history.extra["weight_norm"].steps == [0, 4, 8, 12]  # kept, no longer growing


def test_trainer_needs_a_compiled_model():
    m = eg.Sequential([L.Dense(1)], input_shape=(2,))
    with pytest.raises(RuntimeError, match="compile the model"):
        eg.Trainer(m, np.zeros((3, 2)), np.zeros((3, 1)))
