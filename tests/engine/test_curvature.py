import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine import curvature as cv
from engine import losses

L = eg.layers

# (hidden activations, output activation, loss, output units); covers fused and unfused
# outputs, every activation with a second derivative, and every loss.
CASES = [
    (("tanh", "relu"), "sigmoid", "binary_crossentropy", 1),
    (("gelu", "swish"), "softmax", "categorical_crossentropy", 3),
    (("linear", "tanh"), "softmax", "sparse_categorical_crossentropy", 3),
    (("elu", "softplus"), "sigmoid", "mse", 2),
    (("sigmoid", "leaky_relu"), "linear", "mse", 2),
    (("tanh", "softmax"), "softmax", "binary_crossentropy", 3),
]


def targets(loss, k, n, rng):
    if loss == "sparse_categorical_crossentropy":
        return rng.integers(0, k, n).astype(float)
    if loss == "categorical_crossentropy" or (loss == "binary_crossentropy" and k > 1):
        return np.eye(k)[rng.integers(0, k, n)]
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n, 1)).astype(float)
    return rng.standard_normal((n, k))


def make_model(hidden, out, loss, k, *, l1=0.0, l2=0.0, seed=1, n=40, jitter=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = targets(loss, k, n, rng)
    m = eg.Sequential([L.Dense(5, activation=hidden[0]), L.Dense(4, activation=hidden[1]),
                       L.Dense(k, activation=out)], input_shape=(3,), seed=seed)
    m.compile(optimizer="sgd", loss=loss, l1=l1, l2=l2)
    m.params[:] += jitter * rng.standard_normal(m.n_params)  # move off the symmetric init
    return m, X, y


def fd_hvp(model, X, y, theta, v, h=1e-5):
    gp = model.loss_and_grad(theta + h * v, X, y)[1]
    gm = model.loss_and_grad(theta - h * v, X, y)[1]
    return (gp - gm) / (2 * h)


def rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


@pytest.mark.parametrize("hidden,out,loss,k", CASES)
def test_hvp_matches_finite_differences_of_the_gradient(hidden, out, loss, k):
    m, X, y = make_model(hidden, out, loss, k, l2=0.01)
    theta = m.params.copy()
    rng = np.random.default_rng(5)
    for _ in range(3):
        v = rng.standard_normal(m.n_params)
        m.set_params(theta)
        hv = cv.hvp(m, X, y, v)
        np.testing.assert_array_equal(m.params, theta)  # hvp never moves the model
        assert rel(hv, fd_hvp(m, X, y, theta, v)) < 1e-6


SMOOTH = ["tanh", "sigmoid", "gelu", "swish", "softplus", "linear"]  # no kinks for FD to cross


@settings(max_examples=25, deadline=None)
@given(hidden=st.lists(st.tuples(st.sampled_from(SMOOTH), st.integers(1, 5)), max_size=3),
       case=st.sampled_from([("sigmoid", "binary_crossentropy", 1),
                             ("softmax", "categorical_crossentropy", 3),
                             ("softmax", "sparse_categorical_crossentropy", 2),
                             ("tanh", "mse", 2), ("softmax", "binary_crossentropy", 2)]),
       n=st.integers(1, 25), seed=st.integers(0, 1000))
def test_hvp_matches_finite_differences_for_drawn_architectures(hidden, case, n, seed):
    out, loss, k = case
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = targets(loss, k, n, rng)
    m = eg.Sequential([*[L.Dense(u, activation=a) for a, u in hidden],
                       L.Dense(k, activation=out)], input_shape=(2,), seed=seed)
    m.compile(optimizer="sgd", loss=loss, l2=0.01)
    theta = m.params.copy()
    v = rng.standard_normal(m.n_params)
    hv = cv.hvp(m, X, y, v)
    fd = fd_hvp(m, X, y, theta, v)
    assert np.linalg.norm(hv - fd) <= 1e-6 * max(np.linalg.norm(fd), 1e-3)


def test_hvp_leaves_params_and_grads_alone_and_reports_loss_and_gradient():
    m, X, y = make_model(("tanh", "relu"), "sigmoid", "binary_crossentropy", 1, l1=0.01,
                         l2=0.02)
    loss, grad = m.loss_and_grad(m.params, X, y)
    p, g = m.params.copy(), m.grads.copy()
    other = p + 0.1
    op = cv.hessian_operator(m, X, y, params=other)
    op.matvec(np.ones(m.n_params))
    np.testing.assert_array_equal(m.params, p)
    np.testing.assert_array_equal(m.grads, g)
    assert op.exact
    op0 = cv.hessian_operator(m, X, y)
    assert op0.loss == pytest.approx(loss, abs=1e-13)
    np.testing.assert_allclose(op0.gradient, grad, rtol=0, atol=1e-13)


@pytest.mark.parametrize("hidden,out,loss,k", CASES[:3])
def test_explicit_hessian_is_symmetric_and_equals_finite_differences(hidden, out, loss, k):
    m, X, y = make_model(hidden, out, loss, k, l2=0.05)
    op = cv.hessian_operator(m, X, y)
    raw = op.apply_rows(np.eye(m.n_params))  # columns before symmetrising
    assert np.abs(raw - raw.T).max() < 1e-13 * max(1.0, np.abs(raw).max())
    theta = m.params.copy()
    H_fd = np.stack([fd_hvp(m, X, y, theta, e) for e in np.eye(m.n_params)], axis=1)
    assert np.abs(cv.hessian(m, X, y, params=theta) - H_fd).max() < 1e-7 * np.abs(H_fd).max()


@pytest.mark.parametrize("name,fused", [("categorical_crossentropy", False),
                                        ("sparse_categorical_crossentropy", False),
                                        ("binary_crossentropy", False)])
def test_unfused_loss_curvature_is_the_derivative_of_the_loss_gradient(name, fused):
    # Unfused cross-entropies on probabilities cannot be compiled onto a Dense softmax
    # output (the model fuses them), so check the loss Hessian on its own.
    rng = np.random.default_rng(0)
    loss = losses.get(name)
    z = rng.standard_normal((6, 3))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = targets(name, 3, 6, rng)
    if name == "sparse_categorical_crossentropy":
        y = y.reshape(6, 1)
    curv = cv.loss_curvature(loss, p, y, fused)
    r = rng.standard_normal(p.shape)
    h = 1e-6
    gp = loss.value_and_grad(p + h * r, y, np.empty_like(p))[1].copy()
    gm = loss.value_and_grad(p - h * r, y, np.empty_like(p))[1].copy()
    assert rel(curv(r), (gp - gm) / (2 * h)) < 1e-6


def test_top_eigenvalues_lanczos_matches_eigh_of_the_full_hessian():
    m, X, y = make_model(("tanh", "tanh"), "sigmoid", "binary_crossentropy", 1, n=60)
    assert m.n_params <= 200
    H = cv.hessian(m, X, y)
    ref = np.linalg.eigvalsh(H)[::-1]
    w = cv.top_eigenvalues(m, X, y, k=1, method="lanczos")
    assert w.shape == (1,) and w[0] == pytest.approx(ref[0], rel=1e-9)
    w3, V = cv.top_eigenvalues(m, X, y, k=3, return_vectors=True, method="lanczos")
    np.testing.assert_allclose(w3, ref[:3], rtol=1e-8)
    assert V.shape == (m.n_params, 3)
    np.testing.assert_allclose(H @ V, V * w3, atol=1e-8 * abs(ref[0]))
    wd = cv.top_eigenvalues(m, X, y, k=3, method="dense")
    np.testing.assert_allclose(wd, ref[:3], rtol=1e-12)
    # reproducible: same seed, same answer
    np.testing.assert_array_equal(cv.top_eigenvalues(m, X, y, k=3, method="lanczos"), w3)


def test_tiny_models_use_the_explicit_hessian():
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.array([[1.0], [2.0], [2.5]])
    m = eg.Sequential([L.Dense(1, use_bias=False)], input_shape=(1,))
    m.compile(optimizer="sgd", loss="mse")
    assert m.n_params == 1
    assert cv.top_eigenvalues(m, X, y)[0] == pytest.approx(2 * (1 + 4 + 9) / 3, rel=1e-14)
    with pytest.raises(ValueError, match="k < n_params"):
        cv.top_eigenvalues(m, X, y, k=1, method="lanczos")


class PlainFlatten(L.Flatten):
    """A layer type the R-operator does not know: forces the finite-difference fallback."""


def test_finite_difference_fallback_error_is_small():
    # Same weights, exact (R-operator) vs fallback (central differences of the gradient).
    m, X, y = make_model(("tanh", "gelu"), "softmax", "categorical_crossentropy", 3, l2=0.01)
    layers = [PlainFlatten()] + [L.Dense(5, activation="tanh"), L.Dense(4, activation="gelu"),
                                 L.Dense(3, activation="softmax")]
    f = eg.Sequential(layers, input_shape=(3,), seed=1)
    f.compile(optimizer="sgd", loss="categorical_crossentropy", l2=0.01)
    f.params[:] = m.params
    op_f = cv.hessian_operator(f, X, y)
    assert not op_f.exact and cv.hessian_operator(m, X, y).exact
    rng = np.random.default_rng(3)
    errs = []
    for _ in range(5):
        v = rng.standard_normal(m.n_params)
        errs.append(rel(op_f.matvec(v), cv.hvp(m, X, y, v)))
    assert max(errs) < 1e-8, errs  # measured ~1.5e-10 (step ε^(1/3)·max(1, rms θ))
    np.testing.assert_allclose(
        cv.top_eigenvalues(f, X, y, k=2, method="lanczos"),
        cv.top_eigenvalues(m, X, y, k=2, method="lanczos"), rtol=1e-6)


def test_flatten_and_dropout_stacks_are_exact():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2, 3))
    y = np.eye(3)[rng.integers(0, 3, 20)]
    m = eg.Sequential([L.Flatten(), L.Dense(4, activation="tanh"), L.Dropout(0.5),
                       L.Dense(3, activation="softmax")], input_shape=(2, 3), seed=0)
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert cv.hessian_operator(m, X, y).exact
    v = rng.standard_normal(m.n_params)
    assert rel(cv.hvp(m, X, y, v), fd_hvp(m, X, y, m.params.copy(), v)) < 1e-6


# -- edge of stability ----------------------------------------------------------------------
def quadratic_problem():
    """Linear regression with a Dense(1): the mse loss is exactly quadratic in θ."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)) * np.array([1.0, 0.7, 0.5])
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.1 * rng.standard_normal((200, 1))
    m = eg.Sequential([L.Dense(1)], input_shape=(3,), seed=0)
    m.compile(optimizer="sgd", loss="mse")
    return m, X, y


def test_linear_mse_hessian_is_2_xt_x_over_n():
    m, X, y = quadratic_problem()
    Xa = np.hstack([X, np.ones((200, 1))])  # [W; b] is the layout of the flat vector
    np.testing.assert_allclose(cv.hessian(m, X, y), 2 * Xa.T @ Xa / 200, rtol=1e-13,
                               atol=1e-14)


def run_full_batch(m, X, y, theta0, opt, steps):
    theta = theta0.copy()
    first = m.loss_and_grad(theta, X, y)[0]
    loss = first
    for _ in range(steps):
        loss, g = m.loss_and_grad(theta, X, y)
        if not np.isfinite(loss) or loss > 1e12:
            return first, np.inf
        opt.step(theta, g)
    return first, m.loss_and_grad(theta, X, y)[0]


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.5, True)])
def test_gd_is_stable_just_below_the_threshold_and_diverges_just_above(momentum, nesterov):
    m, X, y = quadratic_problem()
    theta0 = m.params.copy()
    sharp = cv.top_eigenvalues(m, X, y, k=1)[0]
    Xa = np.hstack([X, np.ones((200, 1))])
    best = np.linalg.lstsq(Xa, y, rcond=None)[0]
    min_loss = float(np.mean((Xa @ best - y) ** 2))
    # η slightly below 2/λ_max (threshold 2% above the sharpness): stable; slightly above: not
    for factor, stable in ((1.02, True), (0.98, False)):
        # the lr at which the threshold equals factor × sharpness
        lr = cv.sharpness_threshold(1.0, momentum, nesterov=nesterov) / (factor * sharp)
        assert cv.stability_threshold(
            eg.optim.SGD(lr=lr, momentum=momentum, nesterov=nesterov)) == pytest.approx(
            factor * sharp)
        opt = eg.optim.SGD(lr=lr, momentum=momentum, nesterov=nesterov)
        first, last = run_full_batch(m, X, y, theta0, opt, 1500)
        if stable:
            assert last == pytest.approx(min_loss, rel=1e-8)
        else:
            assert not last < first


def test_threshold_helpers():
    assert cv.sharpness_threshold(0.1) == pytest.approx(20.0)
    assert cv.sharpness_threshold(0.1, 0.9) == pytest.approx(38.0)
    assert cv.sharpness_threshold(0.1, 0.9, nesterov=True) == pytest.approx(38.0 / 2.8)
    assert cv.sharpness_threshold(0.1, 0.9, dampening=0.5) == pytest.approx(76.0)
    assert cv.sharpness_threshold(0.1, weight_decay=1.0) == pytest.approx(19.0)
    assert cv.stability_threshold(eg.optim.SGD(lr=0.1, momentum=0.9)) == pytest.approx(38.0)
    assert cv.SharpnessTracker.threshold(eg.optim.SGD(lr=0.5)) == pytest.approx(4.0)
    with pytest.raises(TypeError, match="got Adam"):
        cv.stability_threshold(eg.optim.Adam())
    with pytest.raises(ValueError, match="momentum must be in"):
        cv.sharpness_threshold(0.1, 1.0)
    with pytest.raises(ValueError, match="lr must be > 0, got -1"):
        cv.sharpness_threshold(-1)


def test_sharpness_tracker_records_without_changing_training():
    from engine.datasets import make

    ds = make("two_moons", n_samples=120, noise=0.1, seed=0)

    def trainer():
        m = eg.Sequential([L.Dense(6, activation="tanh"), L.Dense(1, activation="sigmoid")],
                          input_shape=(2,), seed=0)
        m.compile(optimizer=eg.optim.SGD(lr=0.5), loss="binary_crossentropy")
        return eg.Trainer(m, ds.X, ds.y, batch_size=None)

    plain, tracked = trainer(), trainer()
    tracker = cv.SharpnessTracker(ds.X[:60], ds.y[:60], every=10)
    tracker.attach(tracked)
    plain.step(40)
    tracked.step(40)
    np.testing.assert_array_equal(plain.model.params, tracked.model.params)
    series = tracked.history.extra["sharpness"]
    assert series.steps == [0, 10, 20, 30, 40]  # recorded from where training is
    now = cv.top_eigenvalues(tracked.model, ds.X[:60], ds.y[:60], k=1)[0]
    assert series.values[-1] == pytest.approx(now, rel=1e-6)
    # without a subset it uses the trainer's own data; Lanczos path with warm start
    lan = cv.SharpnessTracker(every=5, method="lanczos")
    assert lan(tracked) == pytest.approx(
        cv.top_eigenvalues(tracked.model, ds.X, ds.y, k=1)[0], rel=1e-6)
    assert lan.last_vector is not None and lan(tracked) == pytest.approx(lan(tracked))


def test_bad_arguments_say_what_was_received():
    m, X, y = make_model(("tanh", "tanh"), "sigmoid", "binary_crossentropy", 1)
    n = m.n_params
    with pytest.raises(ValueError, match=rf"v must be a flat vector of shape \({n},\).*\(3,\)"):
        cv.hvp(m, X, y, np.ones(3))
    with pytest.raises(ValueError, match=r"params must be a flat vector.*\(2,\)"):
        cv.hessian(m, X, y, params=np.ones(2))
    with pytest.raises(ValueError, match=rf"k must be an integer in \[1, n_params={n}\], got 0"):
        cv.top_eigenvalues(m, X, y, k=0)
    with pytest.raises(ValueError, match="method must be .* got 'qr'"):
        cv.top_eigenvalues(m, X, y, method="qr")
    with pytest.raises(ValueError, match="every must be a positive integer, got 0"):
        cv.SharpnessTracker(X, y, every=0)
    with pytest.raises(ValueError, match="no data subset.*got Sequential"):
        cv.SharpnessTracker()(m)
    bare = eg.Sequential([L.Dense(1)], input_shape=(3,))
    with pytest.raises(RuntimeError, match="compile"):
        cv.hvp(bare, X, y, np.ones(4))
