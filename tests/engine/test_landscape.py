import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine import curvature as cv
from engine import landscape as ls
from engine.datasets import make
from engine.params import ParamSpec

L = eg.layers


def default_net(l1=0.0, l2=0.0, metrics=("accuracy",)):
    ds = make("spiral", n_samples=120, noise=0.1, seed=0)
    m = eg.Sequential([L.Dense(8, activation="tanh"), L.Dense(8, activation="tanh"),
                       L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=0)
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=list(metrics), l1=l1, l2=l2)
    return m, ds.X, ds.y


def reference_loss(model, X, y, theta):
    """The slow reference: the model's own loss at θ (penalty included)."""
    saved = model.params.copy()
    loss = model.loss_and_grad(theta, X, y)[0]
    model.set_params(saved)
    return loss


# -- directions ---------------------------------------------------------------------------
def test_filter_normalised_directions_match_every_filter_norm_and_zero_biases():
    m, _, _ = default_net()
    d1, d2 = ls.random_directions(m, seed=3)
    assert d1.shape == d2.shape == (m.n_params,)
    assert not np.allclose(d1, d2)
    raws = [np.random.default_rng([3, k]).standard_normal(m.n_params) for k in (0, 1)]
    for s in m.param_spec:
        theta = m.params[s.slice]
        if len(s.shape) == 1:
            assert not d1[s.slice].any() and not d2[s.slice].any()
            continue
        ref = np.linalg.norm(theta.reshape(s.shape), axis=0)  # per output filter (columns)
        for d, raw in zip((d1, d2), raws, strict=True):
            got = np.linalg.norm(d[s.slice].reshape(s.shape), axis=0)
            np.testing.assert_allclose(got, ref, rtol=1e-8)
            # exactly ‖θ_f‖·‖δ_f‖/(‖δ_f‖ + 1e-10), the guard against a zero draw
            norm = np.linalg.norm(raw[s.slice].reshape(s.shape), axis=0)
            np.testing.assert_allclose(got, ref * norm / (norm + 1e-10), rtol=1e-13)
    np.testing.assert_array_equal(ls.random_directions(m, seed=3)[0], d1)  # reproducible
    assert not np.allclose(ls.random_directions(m, seed=4)[0], d1)


def test_filter_normalisation_uses_the_last_axis_of_conv_kernels():
    rng = np.random.default_rng(0)
    spec = (ParamSpec("conv", "W", slice(0, 3 * 3 * 2 * 4), (3, 3, 2, 4)),
            ParamSpec("conv", "b", slice(72, 76), (4,)))
    theta = rng.standard_normal(76)
    theta[:72].reshape(3, 3, 2, 4)[..., 1] = 0.0  # a dead filter stays at zero
    d = ls.normalize_direction(rng.standard_normal(76), theta, spec)
    got = np.linalg.norm(d[:72].reshape(-1, 4), axis=0)
    np.testing.assert_allclose(got, np.linalg.norm(theta[:72].reshape(-1, 4), axis=0),
                               rtol=1e-9, atol=1e-12)
    assert not d[72:].any()


def test_layer_and_none_normalisations():
    m, _, _ = default_net()
    raw = np.random.default_rng([5, 0]).standard_normal(m.n_params)
    layer, _ = ls.random_directions(m, seed=5, normalization="layer")
    none, _ = ls.random_directions(m, seed=5, normalization="none")
    keep, _ = ls.random_directions(m, seed=5, normalization="filter", ignore_biases=False)
    for s in m.param_spec:
        if len(s.shape) == 1:
            assert not layer[s.slice].any() and not none[s.slice].any()
            np.testing.assert_allclose(np.linalg.norm(keep[s.slice]),
                                       np.linalg.norm(m.params[s.slice]), atol=1e-9)
            continue
        np.testing.assert_allclose(np.linalg.norm(layer[s.slice]),
                                   np.linalg.norm(m.params[s.slice]), rtol=1e-9)
        np.testing.assert_array_equal(none[s.slice], raw[s.slice])  # the raw N(0, 1) draw
    with pytest.raises(ValueError, match="normalization must be one of .* got 'batch'"):
        ls.random_directions(m, normalization="batch")


def planar_trajectory(n=30, T=12, seed=0):
    rng = np.random.default_rng(seed)
    final = rng.standard_normal(n)
    u, v = rng.standard_normal(n), rng.standard_normal(n) + 0.5  # not orthogonal
    t = np.linspace(0, 1, T)[:, None]
    traj = final + (1 - t) ** 2 * 3.0 * u + np.sin(3 * t) * (1 - t) * v
    return traj, final


@pytest.mark.parametrize("centered", [True, False])
def test_pca_directions_are_orthonormal_and_recover_a_planar_trajectory(centered):
    traj, final = planar_trajectory()
    d1, d2, ratio = ls.pca_directions(traj, centered=centered)
    D = np.stack([d1, d2])
    np.testing.assert_allclose(D @ D.T, np.eye(2), atol=1e-12)
    assert ratio.shape == (2,) and ratio[0] >= ratio[1] >= 0
    assert ratio.sum() == pytest.approx(1.0, abs=1e-12)  # a plane holds all the variance
    coords = ls.project(traj, final, d1, d2)
    assert coords.shape == (traj.shape[0], 2)
    np.testing.assert_allclose(final + coords @ D, traj, atol=1e-10)
    np.testing.assert_allclose(coords[-1], 0.0, atol=1e-12)


def test_pca_of_a_real_training_run():
    m, X, y = default_net()
    m.optimizer = eg.optim.SGD(lr=0.5, momentum=0.9)
    tr = eg.Trainer(m, X, y, batch_size=20, snapshot_every=2)
    tr.step(40)
    traj = tr.trajectory()
    d1, d2, ratio = ls.pca_directions(traj)
    assert abs(d1 @ d2) < 1e-12 and np.linalg.norm(d1) == pytest.approx(1.0)
    assert 0 < ratio.sum() <= 1 + 1e-12
    coords = ls.project(traj, traj[-1], d1, d2)
    # projection of the centred differences onto orthonormal PCA axes
    np.testing.assert_allclose(coords, (traj - traj[-1]) @ np.stack([d1, d2]).T, atol=1e-12)


def test_pca_degenerate_trajectories():
    line_traj = np.outer(np.linspace(1, 0, 5), np.arange(1.0, 5.0))
    d1, d2, ratio = ls.pca_directions(line_traj)
    assert ratio[0] == pytest.approx(1.0) and ratio[1] < 1e-20
    assert abs(d1 @ d2) < 1e-12 and np.linalg.norm(d2) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"non-empty .* got shape \(0, 4\)"):
        ls.pca_directions(np.zeros((0, 4)))
    with pytest.raises(ValueError, match=r"shape \(T, n_params\), got shape \(4,\)"):
        ls.pca_directions(np.zeros(4))


def test_project_solves_least_squares_for_non_orthogonal_directions():
    rng = np.random.default_rng(1)
    c, d1 = rng.standard_normal(10), rng.standard_normal(10)
    d2 = d1 + 0.3 * rng.standard_normal(10)
    coords = rng.standard_normal((7, 2))
    traj = c + coords @ np.stack([d1, d2])
    np.testing.assert_allclose(ls.project(traj, c, d1, d2), coords, atol=1e-10)
    np.testing.assert_allclose(ls.project(traj[3], c, d1, d2), coords[3], atol=1e-10)
    with pytest.raises(ValueError, match="parallel"):
        ls.project(traj, c, d1, 2 * d1)
    with pytest.raises(ValueError, match=r"center must be .*\(10,\).*got shape \(9,\)"):
        ls.project(traj, c[:9], d1, d2)


def test_hessian_directions_are_the_top_eigenvectors():
    m, X, y = default_net()
    d1, d2, w = ls.hessian_directions(m, X, y)
    H = cv.hessian(m, X, y)
    ref = np.linalg.eigvalsh(H)[::-1][:2]
    np.testing.assert_allclose(w, ref, rtol=1e-10)
    np.testing.assert_allclose(H @ d1, w[0] * d1, atol=1e-9)
    np.testing.assert_allclose(H @ d2, w[1] * d2, atol=1e-9)
    assert abs(d1 @ d2) < 1e-10


# -- grid and line ------------------------------------------------------------------------
def test_grid_center_equals_the_model_loss_and_leaves_params_alone():
    m, X, y = default_net(l2=1e-3)
    before = m.params.copy()
    d1, d2 = ls.random_directions(m)
    a, b, Z = ls.grid(m, X, y, m.params, d1, d2, span=0.5, resolution=11)
    assert a.shape == b.shape == (11,) and Z.shape == (11, 11)
    assert a[0] == -0.5 and a[-1] == 0.5 and a[5] == 0.0
    assert abs(Z[5, 5] - m.evaluate(X, y)["loss"]) < 1e-12
    np.testing.assert_array_equal(m.params, before)


GRID_CASES = [
    # (layers, loss, output units, input shape)
    ([("tanh", 8), ("tanh", 8)], "sigmoid", "binary_crossentropy", 1),
    ([("relu", 6)], "softmax", "categorical_crossentropy", 3),
    ([("gelu", 6)], "softmax", "sparse_categorical_crossentropy", 3),
    ([("elu", 5)], "sigmoid", "mse", 2),            # unfused output
    ([("swish", 5)], "linear", "mse", 2),
    ([("tanh", 5)], "softmax", "binary_crossentropy", 3),  # unfused cross-entropy
    ([], "sigmoid", "binary_crossentropy", 1),       # logistic regression
]


def grid_model(hidden, out, loss, k, *, l1=0.0, l2=0.0, extra=(), seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 3))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, 50).astype(float)
    elif loss == "mse":
        y = rng.standard_normal((50, k))
    elif k > 1:
        y = np.eye(k)[rng.integers(0, k, 50)]
    else:
        y = rng.integers(0, 2, (50, 1)).astype(float)
    layers = [*extra, *[L.Dense(u, activation=a) for a, u in hidden], L.Dense(k, activation=out)]
    m = eg.Sequential(layers, input_shape=(3,), seed=seed)
    m.compile(optimizer="sgd", loss=loss, metrics=["accuracy"], l1=l1, l2=l2)
    return m, X, y


def check_against_reference(m, X, y, span=1.5, resolution=9, points=12, **kw):
    rng = np.random.default_rng(7)
    d1, d2 = ls.random_directions(m, seed=1)
    c = m.params + 0.1 * rng.standard_normal(m.n_params)
    s = ls.grid(m, X, y, c, d1, d2, span=span, resolution=resolution, metric="accuracy", **kw)
    for _ in range(points):
        i, j = rng.integers(0, resolution, 2)
        theta = c + s.a[j] * d1 + s.b[i] * d2
        assert abs(s.loss[i, j] - reference_loss(m, X, y, theta)) < 1e-10
        saved = m.params.copy()
        m.set_params(theta)
        assert s.metric[i, j] == m.evaluate(X, y)["accuracy"]
        m.set_params(saved)
    return s


@pytest.mark.parametrize("hidden,out,loss,k", GRID_CASES)
def test_grid_equals_a_slow_reference_loop(hidden, out, loss, k):
    m, X, y = grid_model(hidden, out, loss, k, l1=1e-3, l2=1e-2)
    s = check_against_reference(m, X, y)
    assert s.metric_name == "accuracy"
    # small chunks give the same numbers
    s2 = ls.grid(m, X, y, s_center := m.params, *ls.random_directions(m, seed=1), span=1.5,
                 resolution=9, chunk_size=5)
    s3 = ls.grid(m, X, y, s_center, *ls.random_directions(m, seed=1), span=1.5, resolution=9)
    np.testing.assert_allclose(s2.loss, s3.loss, rtol=0, atol=1e-13)


class PlainFlatten(L.Flatten):
    """A layer type the vectorised path does not know: forces the per-point loop."""


@pytest.mark.parametrize("extra", [(L.Flatten(), L.Dropout(0.3)), (PlainFlatten(),)])
def test_grid_with_flatten_dropout_and_unknown_layers(extra):
    m, X, y = grid_model([("tanh", 4)], "softmax", "categorical_crossentropy", 3, l2=1e-2,
                         extra=extra)
    before = m.params.copy()
    check_against_reference(m, X, y, resolution=5, points=6)
    np.testing.assert_array_equal(m.params, before)


OUTPUTS = [("sigmoid", "binary_crossentropy", 1), ("softmax", "categorical_crossentropy", 3),
           ("softmax", "sparse_categorical_crossentropy", 2), ("sigmoid", "mse", 2),
           ("linear", "mse", 1), ("softmax", "binary_crossentropy", 2)]


@settings(max_examples=30, deadline=None)
@given(hidden=st.lists(st.tuples(st.sampled_from(["tanh", "relu", "gelu", "elu", "swish",
                                                  "sigmoid", "linear", "softplus"]),
                                  st.integers(1, 6)), max_size=3),
       output=st.sampled_from(OUTPUTS), n=st.integers(1, 30), span=st.floats(0.1, 5.0),
       use_bias=st.booleans(), seed=st.integers(0, 1000))
def test_grid_equals_reference_for_drawn_architectures(hidden, output, n, span, use_bias, seed):
    out, loss, k = output
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, n).astype(float)
    elif loss == "mse":
        y = rng.standard_normal((n, k))
    elif k > 1:
        y = np.eye(k)[rng.integers(0, k, n)]
    else:
        y = rng.integers(0, 2, (n, 1)).astype(float)
    layers = [L.Dense(u, activation=a, use_bias=use_bias) for a, u in hidden]
    m = eg.Sequential([*layers, L.Dense(k, activation=out)], input_shape=(3,), seed=seed)
    m.compile(optimizer="sgd", loss=loss, l2=0.01)
    d1, d2 = ls.random_directions(m, seed=seed, normalization="layer", ignore_biases=False)
    s = ls.grid(m, X, y, m.params, d1, d2, span=span, resolution=4, chunk_size=int(seed % 7) + 1)
    for i, j in ((0, 0), (1, 2), (3, 3), (2, 1)):
        theta = m.params + s.a[j] * d1 + s.b[i] * d2
        ref = reference_loss(m, X, y, theta)
        assert abs(s.loss[i, j] - ref) <= 1e-10 * max(1.0, abs(ref))


def test_trajectory_workflow_pca_grid_and_projection():
    m, X, y = default_net()
    m.optimizer = eg.optim.SGD(lr=0.3, momentum=0.9)
    tr = eg.Trainer(m, X, y, batch_size=None, snapshot_every=1)
    tr.step(30)
    traj = tr.trajectory()
    final = traj[-1]
    d1, d2, ratio = ls.pca_directions(traj)
    xy = ls.project(traj, final, d1, d2)
    span = float(np.abs(xy).max()) * 1.1
    s = ls.grid(m, X, y, final, d1, d2, span=span, resolution=7)  # 7: a, b include 0
    assert np.abs(xy[-1]).max() < 1e-12 and s.loss[3, 3] == pytest.approx(
        reference_loss(m, X, y, final), abs=1e-12)
    assert (np.abs(xy) <= span).all() and ratio[0] > 0.5


def test_defaults_and_empty_point_sets():
    m, X, y = default_net()
    a, b, Z = ls.grid(m, X, y, resolution=3)  # center = params, random filter-normalised plane
    d1, d2 = ls.random_directions(m)
    np.testing.assert_array_equal(Z, ls.grid(m, X, y, m.params, d1, d2, resolution=3).loss)
    loss, met = ls.evaluate_points(m, X, y, m.params, np.stack([d1]), np.zeros((0, 1)),
                                   metric="accuracy")
    assert loss.shape == met.shape == (0,)


def test_penalty_can_be_left_out_and_float32_models_work():
    m, X, y = grid_model([("tanh", 4)], "sigmoid", "binary_crossentropy", 1, l1=0.01, l2=0.1)
    d1, d2 = ls.random_directions(m)
    full = ls.grid(m, X, y, m.params, d1, d2, resolution=5)
    data = ls.grid(m, X, y, m.params, d1, d2, resolution=5, include_penalty=False)
    theta = m.params + full.a[4] * d1 + full.b[1] * d2
    pen = 0.01 * sum(np.abs(theta[s.slice]).sum() for s in m.param_spec if len(s.shape) > 1) \
        + 0.1 * sum((theta[s.slice] ** 2).sum() for s in m.param_spec if len(s.shape) > 1)
    assert full.loss[1, 4] - data.loss[1, 4] == pytest.approx(pen, rel=1e-12)
    m32 = eg.Sequential([L.Dense(4, activation="tanh"), L.Dense(1, activation="sigmoid")],
                        input_shape=(3,), seed=0, dtype="float32")
    m32.compile(optimizer="sgd", loss="binary_crossentropy")
    s = ls.grid(m32, X, y, m32.params, *ls.random_directions(m32), resolution=3)
    assert s.loss.dtype == np.float64
    assert abs(s.loss[1, 1] - m32.evaluate(X, y)["loss"]) < 1e-6


def test_line_interpolates_between_two_models():
    m, X, y = default_net(l2=1e-3)
    a = m.params.copy()
    b = a + 0.5 * np.random.default_rng(0).standard_normal(m.n_params)
    curve = ls.line(m, X, y, a, b, metric="accuracy")
    alphas, losses = curve
    assert alphas.shape == losses.shape == (401,)
    assert alphas[0] == -0.5 and alphas[-1] == 1.5 and curve.metric.shape == (401,)
    i0, i1 = np.argmin(np.abs(alphas)), np.argmin(np.abs(alphas - 1))
    assert abs(losses[i0] - reference_loss(m, X, y, a)) < 1e-12
    assert abs(losses[i1] - reference_loss(m, X, y, b)) < 1e-10
    for i in (0, 37, 250, 400):
        theta = (1 - alphas[i]) * a + alphas[i] * b
        assert abs(losses[i] - reference_loss(m, X, y, theta)) < 1e-10
    np.testing.assert_array_equal(m.params, a)


def test_bad_arguments_say_what_was_received():
    m, X, y = default_net()
    n = m.n_params
    d1, d2 = ls.random_directions(m)
    with pytest.raises(ValueError, match=rf"center must be a flat vector of shape \({n},\).*"
                                         r"got shape \(3,\)"):
        ls.grid(m, X, y, np.zeros(3), d1, d2)
    with pytest.raises(ValueError, match=r"d2 must be .* got shape \(2, 3\)"):
        ls.grid(m, X, y, m.params, d1, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="resolution must be an integer >= 2, got 1"):
        ls.grid(m, X, y, m.params, d1, d2, resolution=1)
    with pytest.raises(ValueError, match="span must be a finite number > 0, got 0"):
        ls.grid(m, X, y, m.params, d1, d2, span=0)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        ls.grid(m, X, y, m.params, d1, d2, metric="f1")
    with pytest.raises(ValueError, match="points must be an integer >= 2, got 1"):
        ls.line(m, X, y, d1, d2, points=1)
    with pytest.raises(ValueError, match="lo must be < hi, got lo=1, hi=0"):
        ls.line(m, X, y, d1, d2, lo=1, hi=0)
    with pytest.raises(ValueError, match=r"directions must have shape \(m, \d+\)"):
        ls.evaluate_points(m, X, y, m.params, np.zeros((2, 5)), np.zeros((1, 2)))
    bare = eg.Sequential([L.Dense(1)], input_shape=(2,))
    with pytest.raises(RuntimeError, match="compile"):
        ls.grid(bare, X, y, bare.params, np.ones(3), np.ones(3))
