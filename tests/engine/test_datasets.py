"""Tests for engine.datasets: TF-Playground generators, features and data helpers."""

import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import datasets as ds

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "two_moons")
REGRESSION = ("reg_plane", "reg_gauss")
ALL = CLASSIFICATION + REGRESSION


# --------------------------------------------------------------------------- registry


def test_names_and_kinds():
    assert ds.names() == ALL
    assert ds.names("classification") == CLASSIFICATION
    assert ds.names("regression") == REGRESSION
    for name in CLASSIFICATION:
        assert ds.kind(name) == "classification"
    for name in REGRESSION:
        assert ds.kind(name) == "regression"


# --------------------------------------------------------------------------- shapes, determinism


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n", [2, 3, 101, 500])
def test_shapes_and_dtypes(name, n):
    d = ds.make(name, n_samples=n, noise=0.2, seed=3)
    assert isinstance(d, ds.Dataset)
    assert d.X.shape == (n, 2) and d.X.dtype == np.float64
    assert d.y.shape == (n, 1) and d.y.dtype == np.float64
    assert len(d) == n
    assert d.name == name and d.task == ds.kind(name)
    assert np.all(np.isfinite(d.X)) and np.all(np.isfinite(d.y))
    if d.task == "classification":
        assert set(np.unique(d.y)) <= {0.0, 1.0}
    assert name in repr(d)


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_arrays_other_seed_differs(name):
    a = ds.make(name, 200, noise=0.3, seed=7)
    b = ds.make(name, 200, noise=0.3, seed=7)
    c = ds.make(name, 200, noise=0.3, seed=8)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_numpy_integer_arguments_accepted():
    a = ds.make("xor", np.int64(50), np.float64(0.1), np.uint32(4))
    b = ds.make("xor", 50, 0.1, 4)
    assert np.array_equal(a.X, b.X)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_label_balance_roughly_half(name):
    d = ds.make(name, 1000, noise=0.0, seed=0)
    assert 0.4 <= d.y.mean() <= 0.6
    # rows are shuffled: both labels appear in each half of the array
    assert 0 < d.y[:500].mean() < 1 and 0 < d.y[500:].mean() < 1


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "two_moons"])
def test_exact_halves_for_block_generated_sets(name):
    assert ds.make(name, 400).y.sum() == 200
    assert ds.make(name, 401).y.sum() in (200, 201)


# --------------------------------------------------------------------------- geometry


def test_circle_noise_free_label_is_function_of_radius():
    d = ds.make("circle", 2000, noise=0.0, seed=1)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    inside = d.y[:, 0] == 1.0
    assert np.array_equal(inside, r < 2.5)
    assert r[inside].max() <= 2.5
    assert r[~inside].min() >= 3.5 and r[~inside].max() <= 5.0


def test_circle_noise_flips_labels_but_keeps_positions():
    clean = ds.make("circle", 2000, noise=0.0, seed=2)
    wrong = []
    for noise in (0.1, 0.3, 0.5):
        d = ds.make("circle", 2000, noise=noise, seed=2)
        assert np.array_equal(d.X, clean.X)  # Playground: noise moves the label test, not the point
        r = np.hypot(d.X[:, 0], d.X[:, 1])
        wrong.append(np.mean((d.y[:, 0] == 1.0) != (r < 2.5)))
    assert 0 < wrong[0] < wrong[1] < wrong[2]


def test_xor_noise_free_label_is_sign_of_product_and_padding():
    d = ds.make("xor", 2000, noise=0.0, seed=1)
    x1, x2 = d.X.T
    assert np.array_equal(d.y[:, 0] == 1.0, x1 * x2 >= 0)
    assert np.all(np.abs(d.X) >= 0.3) and np.all(np.abs(d.X) <= 5.3)
    # all four quadrants are populated
    for sx in (-1, 1):
        for sy in (-1, 1):
            assert np.any((np.sign(x1) == sx) & (np.sign(x2) == sy))


def test_xor_noise_increases_label_scatter():
    wrong = []
    for noise in (0.0, 0.1, 0.5):
        d = ds.make("xor", 3000, noise=noise, seed=4)
        wrong.append(np.mean((d.y[:, 0] == 1.0) != (d.X[:, 0] * d.X[:, 1] >= 0)))
    assert wrong[0] == 0 and wrong[0] < wrong[1] < wrong[2]


def test_gauss_centres_and_variance_follow_noise():
    for noise, variance in ((0.0, 0.5), (0.25, 2.25), (0.5, 4.0)):
        d = ds.make("gauss", 4000, noise=noise, seed=5)
        pos, neg = d.X[d.y[:, 0] == 1.0], d.X[d.y[:, 0] == 0.0]
        sd = math.sqrt(variance)
        np.testing.assert_allclose(pos.mean(axis=0), [2, 2], atol=4 * sd / math.sqrt(2000))
        np.testing.assert_allclose(neg.mean(axis=0), [-2, -2], atol=4 * sd / math.sqrt(2000))
        np.testing.assert_allclose(pos.std(axis=0), sd, rtol=0.08)


def test_gauss_noise_scales_scatter_same_draws():
    a = ds.make("gauss", 300, noise=0.0, seed=9)
    b = ds.make("gauss", 300, noise=0.5, seed=9)
    assert np.array_equal(a.y, b.y)
    centre = np.where(a.y == 1.0, 2.0, -2.0)
    np.testing.assert_allclose(b.X - centre, (a.X - centre) * math.sqrt(4.0 / 0.5), rtol=1e-12)


def test_spiral_two_interleaved_arms():
    n = 600
    d = ds.make("spiral", n, noise=0.0, seed=0)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert r.max() < 5.0
    # each point lies on its arm: angle = 1.75 * 2 pi * r / 5 (+ pi on the label-0 arm)
    t = 1.75 * 2 * np.pi * r / 5 + np.where(d.y[:, 0] == 1.0, 0.0, np.pi)
    np.testing.assert_allclose(d.X, np.column_stack((r * np.sin(t), r * np.cos(t))), atol=1e-12)
    # the label-0 arm is the label-1 arm turned by half a turn
    pos = d.X[d.y[:, 0] == 1.0]
    neg = d.X[d.y[:, 0] == 0.0]
    order = np.lexsort(pos.T)
    np.testing.assert_allclose(pos[order], -neg[np.lexsort((-neg).T)], atol=1e-12)
    # both arms sweep the same radii, half a turn apart
    assert np.allclose(np.sort(np.hypot(*pos.T)), np.sort(np.hypot(*neg.T)))


def test_spiral_noise_is_bounded_position_jitter():
    clean = ds.make("spiral", 400, noise=0.0, seed=3)
    spread = []
    for noise in (0.1, 0.5):
        d = ds.make("spiral", 400, noise=noise, seed=3)
        assert np.array_equal(d.y, clean.y)
        delta = d.X - clean.X
        assert np.all(np.abs(delta) <= noise)
        spread.append(np.abs(delta).mean())
    assert 0 < spread[0] < spread[1]


def test_two_moons_geometry_and_extent():
    d = ds.make("two_moons", 500, noise=0.0, seed=0)
    x1, x2 = d.X.T
    # the ends of both moons are sampled exactly; the tops lie between grid points
    assert x1.min() == pytest.approx(-1.0) and x1.max() == pytest.approx(2.0)
    assert x2.min() == pytest.approx(-0.5, abs=1e-4) and x2.max() == pytest.approx(1.0, abs=1e-4)
    assert x2.min() >= -0.5 and x2.max() <= 1.0
    upper, lower = d.y[:, 0] == 0.0, d.y[:, 0] == 1.0
    np.testing.assert_allclose(x1[upper] ** 2 + x2[upper] ** 2, 1.0)
    np.testing.assert_allclose((x1[lower] - 1) ** 2 + (x2[lower] - 0.5) ** 2, 1.0)
    assert np.all(x2[upper] >= -1e-12) and np.all(x2[lower] <= 0.5 + 1e-12)


def test_two_moons_noise_is_gaussian_jitter():
    clean = ds.make("two_moons", 3000, noise=0.0, seed=1)
    d = ds.make("two_moons", 3000, noise=0.2, seed=1)
    assert np.array_equal(clean.y, d.y)
    assert np.std(d.X - clean.X) == pytest.approx(0.2, rel=0.05)


def test_reg_plane_target_formula_and_noise():
    d = ds.make("reg_plane", 1000, noise=0.0, seed=2)
    assert np.all(np.abs(d.X) <= 6.0)
    np.testing.assert_allclose(d.y[:, 0], (d.X[:, 0] + d.X[:, 1]) / 10.0, rtol=0, atol=1e-15)
    resid = [np.std(ds.make("reg_plane", 1000, noise=z, seed=2).y[:, 0] - d.y[:, 0])
             for z in (0.1, 0.5)]
    assert 0 < resid[0] < resid[1]


def _playground_reg_gauss_label(x, y):
    """Line-by-line port of regressGaussian's getLabel from tensorflow/playground."""
    gaussians = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1),
                 (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    label = 0.0
    for cx, cy, sign in gaussians:
        dist = math.hypot(x - cx, y - cy)
        new = sign * min(1.0, max(0.0, 1.0 - dist / 2.0))
        if abs(new) > abs(label):
            label = new
    return label


def test_reg_gauss_matches_playground_label():
    d = ds.make("reg_gauss", 400, noise=0.0, seed=6)
    expected = [_playground_reg_gauss_label(a, b) for a, b in d.X]
    np.testing.assert_allclose(d.y[:, 0], expected, atol=1e-15)
    assert np.all(np.abs(d.y) <= 1.0)
    assert d.y.min() < -0.5 and d.y.max() > 0.5


def test_reg_gauss_noise_changes_targets_not_positions():
    a = ds.make("reg_gauss", 500, noise=0.0, seed=6)
    b = ds.make("reg_gauss", 500, noise=0.4, seed=6)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.y, b.y)


# --------------------------------------------------------------------------- Dataset


def test_dataset_is_frozen_and_read_only():
    d = ds.make("circle", 20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.X = np.zeros((20, 2))
    with pytest.raises(ValueError, match="read-only"):
        d.X[0, 0] = 1.0


def test_dataset_copies_its_input():
    X = np.zeros((4, 2))
    y = np.zeros((4, 1))
    d = ds.Dataset(X, y, "mine", "regression")
    X[0, 0] = 5.0
    assert d.X[0, 0] == 0.0


def test_dataset_rejects_bad_task_and_targets():
    X, y = np.zeros((3, 2)), np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"task must be one of .*received 'clustering'"):
        ds.Dataset(X, y, "x", "clustering")
    with pytest.raises(ValueError, match=r"classification targets must be 0.0 or 1.0.*0.5"):
        ds.Dataset(X, y + 0.5, "x", "classification")
    with pytest.raises(ValueError, match=r"same number of samples"):
        ds.Dataset(X, y[:2], "x", "regression")


# --------------------------------------------------------------------------- split


def test_split_sizes_determinism_disjoint():
    d = ds.make("spiral", 101, noise=0.1, seed=0)
    Xtr, ytr, Xte, yte = d.split(0.7, seed=3)
    assert Xtr.shape == (71, 2) and ytr.shape == (71, 1)
    assert Xte.shape == (30, 2) and yte.shape == (30, 1)
    again = d.split(0.7, seed=3)
    for a, b in zip((Xtr, ytr, Xte, yte), again, strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(d.split(0.7, seed=4)[0], Xtr)
    # disjoint, and together they are the whole set (rows are unique here)
    rows = {tuple(r) for r in Xtr}
    assert rows.isdisjoint({tuple(r) for r in Xte})
    both = np.concatenate((np.hstack((Xtr, ytr)), np.hstack((Xte, yte))))
    full = np.hstack((d.X, d.y))
    assert np.array_equal(both[np.lexsort(both.T)], full[np.lexsort(full.T)])
    # split arrays are ordinary writable copies
    Xtr[0, 0] = 99.0
    assert not np.any(d.X == 99.0)


@pytest.mark.parametrize("frac, n_train", [(0.001, 1), (0.999, 9), (0.5, 5)])
def test_split_keeps_one_sample_each_side(frac, n_train):
    d = ds.make("xor", 10)
    Xtr, _, Xte, _ = d.split(frac)
    assert len(Xtr) == n_train and len(Xte) == 10 - n_train


def test_split_two_samples():
    Xtr, _, Xte, _ = ds.make("gauss", 2).split(0.9)
    assert len(Xtr) == 1 and len(Xte) == 1


@pytest.mark.parametrize("frac", [0, 1, 1.5, -0.2, float("nan")])
def test_split_rejects_fraction_out_of_range(frac):
    with pytest.raises(ValueError, match=rf"strictly between 0 and 1; received {float(frac)!r}"):
        ds.make("xor", 10).split(frac)


def test_split_rejects_bad_types():
    d = ds.make("xor", 10)
    with pytest.raises(TypeError, match=r"train_fraction .*received '0.5'"):
        d.split("0.5")
    with pytest.raises(TypeError, match=r"seed must be a non-negative integer; received 1.5"):
        d.split(0.5, seed=1.5)
    with pytest.raises(ValueError, match="at least 2 samples"):
        ds.Dataset(np.zeros((1, 2)), np.zeros((1, 1)), "one", "regression").split()


# --------------------------------------------------------------------------- features


def test_features_match_formulas_in_given_order():
    X = ds.make("xor", 50, seed=1).X
    x1, x2 = X[:, 0], X[:, 1]
    expected = {
        "x1": x1, "x2": x2, "x1^2": x1**2, "x2^2": x2**2,
        "x1x2": x1 * x2, "sin_x1": np.sin(x1), "sin_x2": np.sin(x2),
    }
    F = ds.features(X, ds.FEATURES)
    assert F.shape == (50, 7) and F.dtype == np.float64
    for j, name in enumerate(ds.FEATURES):
        np.testing.assert_allclose(F[:, j], expected[name], rtol=1e-15)
    G = ds.features(X, ["sin_x2", "x1"])
    np.testing.assert_array_equal(G, np.column_stack((np.sin(x2), x1)))
    assert ds.features(X, ("x1x2",)).shape == (50, 1)


def test_features_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=re.escape("unknown feature(s) ['x3']; valid names are")):
        ds.features(X, ["x1", "x3"])
    with pytest.raises(ValueError, match="sin_x2"):  # the valid names are listed
        ds.features(X, ["cos_x1"])
    with pytest.raises(ValueError, match="at least one feature"):
        ds.features(X, [])
    with pytest.raises(TypeError, match="sequence of feature names"):
        ds.features(X, "x1")
    with pytest.raises(ValueError, match=re.escape("shape (n_samples, 2)") + r".*\(3, 3\)"):
        ds.features(np.zeros((3, 3)), ["x1"])


# --------------------------------------------------------------------------- one_hot / standardize


def test_one_hot_round_trip():
    labels = np.array([0, 2, 1, 2, 0])
    Y = ds.one_hot(labels)
    assert Y.shape == (5, 3) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
    np.testing.assert_array_equal(ds.from_one_hot(Y), labels)
    assert ds.one_hot(labels, n_classes=5).shape == (5, 5)
    assert ds.one_hot(np.array([], dtype=int), n_classes=2).shape == (0, 2)


def test_one_hot_accepts_dataset_targets_and_from_one_hot_reads_a_column():
    d = ds.make("circle", 30)
    Y = ds.one_hot(d.y, n_classes=2)  # float (n, 1) labels
    assert Y.shape == (30, 2)
    np.testing.assert_array_equal(ds.from_one_hot(Y), d.y[:, 0])
    # a single column (sigmoid output / 0-1 target) is thresholded at 0.5
    np.testing.assert_array_equal(ds.from_one_hot(np.array([[0.2], [0.5], [0.9]])), [0, 1, 1])


def test_one_hot_errors():
    with pytest.raises(ValueError, match=r"labels must be >= 0; received minimum -1"):
        ds.one_hot([0, -1])
    with pytest.raises(ValueError, match=r"whole numbers; received non-integer values \[0.5\]"):
        ds.one_hot([0.0, 0.5])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\] .*received maximum 3"):
        ds.one_hot([0, 3], n_classes=2)
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, 1\); received shape \(2, 2\)"):
        ds.one_hot(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="n_classes is required"):
        ds.one_hot([])
    with pytest.raises(ValueError, match="non-finite"):
        ds.one_hot([0.0, np.nan])
    with pytest.raises(TypeError, match=r"n_classes must be an integer >= 1; received 2.0"):
        ds.one_hot([0, 1], n_classes=2.0)
    with pytest.raises(ValueError, match=r"received shape \(3,\)"):
        ds.from_one_hot(np.zeros(3))


def test_standardize_mean_zero_std_one_and_reuse():
    rng = np.random.default_rng(0)
    X = rng.normal([3.0, -7.0], [2.0, 0.1], size=(200, 2))
    Xs, mean, std = ds.standardize(X)
    np.testing.assert_allclose(Xs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(axis=0), 1.0, rtol=1e-12)
    assert mean.shape == (2,) and std.shape == (2,)
    X2 = rng.normal(size=(10, 2))
    X2s, m2, s2 = ds.standardize(X2, mean, std)
    np.testing.assert_allclose(X2s, (X2 - mean) / std)
    assert np.array_equal(m2, mean) and np.array_equal(s2, std)


def test_standardize_safe_on_constant_columns():
    X = np.column_stack((np.full(5, 0.1), np.arange(5.0), np.zeros(5)))
    Xs, mean, std = ds.standardize(X)
    assert np.all(np.isfinite(Xs))
    np.testing.assert_array_equal(Xs[:, 0], 0.0)
    np.testing.assert_array_equal(Xs[:, 2], 0.0)
    assert std[0] == 1.0 and std[2] == 1.0
    np.testing.assert_allclose(Xs[:, 1].std(), 1.0)
    Xs1, _, _ = ds.standardize(np.array([[4.0, 5.0]]))  # a single sample
    np.testing.assert_array_equal(Xs1, 0.0)


def test_standardize_errors():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="both mean and std"):
        ds.standardize(X, mean=np.zeros(2))
    with pytest.raises(ValueError, match=r"std must have shape \(2,\).*received shape \(3,\)"):
        ds.standardize(X, np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match=r"std must be positive; received \[1.0, 0.0\]"):
        ds.standardize(X, np.zeros(2), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="non-finite"):
        ds.standardize(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="at least one sample"):
        ds.standardize(np.zeros((0, 2)))


# --------------------------------------------------------------------------- batches


def test_batches_cover_every_index_once():
    rng = np.random.default_rng(0)
    parts = list(ds.batches(10, 4, rng))
    assert [len(p) for p in parts] == [4, 4, 2]
    assert all(p.dtype == np.int64 for p in parts)
    assert sorted(np.concatenate(parts).tolist()) == list(range(10))
    assert not np.array_equal(np.concatenate(parts), np.arange(10))


def test_batches_deterministic_per_rng_and_epochs_differ():
    a = np.concatenate(list(ds.batches(50, 8, np.random.default_rng(1))))
    b = np.concatenate(list(ds.batches(50, 8, np.random.default_rng(1))))
    assert np.array_equal(a, b)
    rng = np.random.default_rng(1)
    e1 = np.concatenate(list(ds.batches(50, 8, rng)))
    e2 = np.concatenate(list(ds.batches(50, 8, rng)))
    assert not np.array_equal(e1, e2)


def test_batches_clip_and_no_shuffle():
    assert [p.tolist() for p in ds.batches(5, 2, None, shuffle=False)] == [[0, 1], [2, 3], [4]]
    assert [len(p) for p in ds.batches(5, 0, None, shuffle=False)] == [1] * 5
    assert [len(p) for p in ds.batches(5, 1000, np.random.default_rng(0))] == [5]


def test_batches_errors_raised_eagerly():
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator .*received None"):
        ds.batches(5, 2, None)  # no next() needed
    with pytest.raises(TypeError, match=r"received 42"):
        ds.batches(5, 2, 42)
    with pytest.raises(ValueError, match=r"n must be an integer >= 1; received 0"):
        ds.batches(0, 2, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"batch_size must be an integer; received 2.5"):
        ds.batches(5, 2.5, np.random.default_rng(0))


# --------------------------------------------------------------------------- validate_xy


def test_validate_xy_accepts_and_returns_arrays():
    X, y = ds.validate_xy([[1.0, 2.0], [3.0, 4.0]], [[0.0], [1.0]])
    assert isinstance(X, np.ndarray) and X.shape == (2, 2) and y.shape == (2, 1)
    Xf = np.zeros((3, 2), dtype=np.float32)
    assert ds.validate_xy(Xf, np.zeros((3, 1)))[0] is Xf  # no copy, no cast
    images = np.zeros((3, 4, 4, 1))
    assert ds.validate_xy(images, np.zeros((3, 2)), x_ndim=4)[0].shape == (3, 4, 4, 1)
    assert ds.validate_xy(images, np.zeros((3, 2)), x_ndim=None)[0].ndim == 4


@pytest.mark.parametrize(
    "X, y, pattern",
    [
        (np.zeros(4), np.zeros((4, 1)),
         r"X must be a 2-D array of shape \(n_samples, n_features\); received shape \(4,\)"
         r" \(use X.reshape"),
        (np.zeros((4, 2)), np.zeros(4),
         r"y must be a 2-D array .*received shape \(4,\) \(use y.reshape"),
        (np.zeros((4, 2)), np.zeros((3, 1)),
         r"same number of samples .*X with 4 rows .*y with 3 rows"),
        (np.array([[1.0, np.nan]]), np.zeros((1, 1)),
         r"X contains 1 non-finite value\(s\) \(NaN or inf\)"),
        (np.zeros((1, 2)), np.array([[np.inf]]), r"y contains 1 non-finite"),
        (np.array([["a", "b"]]), np.zeros((1, 1)), r"X must hold real numbers.*dtype <U1"),
        (np.zeros((0, 2)), np.zeros((0, 1)), r"at least one sample; received X of shape \(0, 2\)"),
        (np.zeros((2, 3, 3)), np.zeros((2, 1)), r"received shape \(2, 3, 3\)"),
    ],
)
def test_validate_xy_errors(X, y, pattern):
    with pytest.raises(ValueError, match=pattern):
        ds.validate_xy(X, y)


def test_validate_xy_rank_errors_with_x_ndim():
    with pytest.raises(ValueError, match=r"4-D array .*received shape \(3, 2\)"):
        ds.validate_xy(np.zeros((3, 2)), np.zeros((3, 1)), x_ndim=4)
    with pytest.raises(ValueError, match=r"at least 2 dimensions"):
        ds.validate_xy(np.zeros(3), np.zeros((3, 1)), x_ndim=None)


# --------------------------------------------------------------------------- bad input to make


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"name": "cirle"}, ValueError,
         r"unknown data set 'cirle' \(did you mean 'circle'\?\); expected one of \['circle'"),
        ({"name": "mnist"}, ValueError, r"unknown data set 'mnist'; expected one of .*'reg_gauss'"),
        ({"name": 3}, TypeError, r"data set name must be a string.*received 3"),
        ({"n_samples": 1}, ValueError,
         r"n_samples must be an integer in \[2, 100000\]; received 1"),
        ({"n_samples": -5}, ValueError, r"received -5"),
        ({"n_samples": 100_001}, ValueError, r"\[2, 100000\]; received 100001"),
        ({"n_samples": 10.0}, TypeError, r"n_samples must be an integer .*received 10.0"),
        ({"n_samples": True}, TypeError, r"received True"),
        ({"noise": -0.1}, ValueError, r"noise must be a number in \[0, 0.5\].*received -0.1"),
        ({"noise": 0.51}, ValueError, r"received 0.51"),
        ({"noise": 30}, ValueError, r"fraction.*received 30.0"),
        ({"noise": float("nan")}, ValueError, r"received nan"),
        ({"noise": "0.1"}, TypeError, r"noise must be a number .*received '0.1'"),
        ({"seed": -1}, ValueError, r"seed must be a non-negative integer; received -1"),
        ({"seed": 1.5}, TypeError, r"seed must be a non-negative integer; received 1.5"),
        ({"seed": None}, TypeError, r"received None"),
    ],
)
def test_make_rejects_bad_input(kwargs, exc, pattern):
    args = {"name": "circle", "n_samples": 10, "noise": 0.0, "seed": 0} | kwargs
    with pytest.raises(exc, match=pattern):
        ds.make(**args)


def test_boundaries_accepted():
    assert len(ds.make("circle", 2)) == 2
    assert len(ds.make("reg_plane", ds.MAX_SAMPLES)) == 100_000
    ds.make("xor", 10, noise=0.5)
    ds.make("xor", 10, noise=0)


def test_kind_and_names_reject_unknown():
    with pytest.raises(ValueError, match=r"unknown data set 'bogus'"):
        ds.kind("bogus")
    with pytest.raises(ValueError, match=r"task must be one of .*received 'images'"):
        ds.names("images")


# --------------------------------------------------------------------------- properties

SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(name=st.sampled_from(ALL), n=st.integers(2, 300), noise=st.floats(0.0, 0.5),
       seed=st.integers(0, 2**63))
def test_property_make(name, n, noise, seed):
    d = ds.make(name, n, noise, seed)
    assert d.X.shape == (n, 2) and d.y.shape == (n, 1)
    assert np.all(np.isfinite(d.X)) and np.all(np.isfinite(d.y))
    if d.task == "classification":
        assert set(np.unique(d.y)) <= {0.0, 1.0}
    else:
        assert np.all(np.abs(d.y) <= 1.2 * (1 + noise) + 1e-9)  # (x1 + x2) / 10, moved
    again = ds.make(name, n, noise, seed)
    assert np.array_equal(d.X, again.X) and np.array_equal(d.y, again.y)


@SETTINGS
@given(n=st.integers(2, 200), frac=st.floats(0.001, 0.999), seed=st.integers(0, 1000))
def test_property_split(n, frac, seed):
    d = ds.make("gauss", n, 0.2, seed=1)
    Xtr, ytr, Xte, yte = d.split(frac, seed)
    assert len(Xtr) + len(Xte) == n and len(Xtr) >= 1 and len(Xte) >= 1
    assert len(Xtr) == min(max(round(frac * n), 1), n - 1)
    assert len(ytr) == len(Xtr) and len(yte) == len(Xte)


@SETTINGS
@given(labels=st.lists(st.integers(0, 9), min_size=1, max_size=50), extra=st.integers(0, 3))
def test_property_one_hot_round_trip(labels, extra):
    arr = np.array(labels)
    Y = ds.one_hot(arr, n_classes=max(labels) + 1 + extra)
    assert Y.shape == (len(labels), max(labels) + 1 + extra)
    if Y.shape[1] > 1:
        np.testing.assert_array_equal(ds.from_one_hot(Y), arr)


@SETTINGS
@given(n=st.integers(2, 50), d=st.integers(1, 5), seed=st.integers(0, 1000),
       scale=st.floats(1e-3, 1e3))
def test_property_standardize(n, d, seed, scale):
    X = np.random.default_rng(seed).normal(5.0, scale, size=(n, d))
    Xs, mean, std = ds.standardize(X)
    np.testing.assert_allclose(Xs.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(Xs.std(axis=0), 1.0, rtol=1e-9)
    np.testing.assert_allclose(Xs * std + mean, X, rtol=1e-9, atol=1e-9 * scale)


@SETTINGS
@given(picks=st.lists(st.sampled_from(ds.FEATURES), min_size=1, max_size=7),
       seed=st.integers(0, 1000))
def test_property_features_select_columns(picks, seed):
    X = np.random.default_rng(seed).uniform(-6, 6, size=(20, 2))
    full = ds.features(X, ds.FEATURES)
    sub = ds.features(X, picks)
    assert sub.shape == (20, len(picks))
    np.testing.assert_array_equal(sub, full[:, [ds.FEATURES.index(p) for p in picks]])
