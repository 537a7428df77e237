"""Optimizer paths on 2-D surfaces: engine optimizers, Newton, scipy, the lr sweep."""

import numpy as np
import pytest
import scipy.optimize

from engine import optim, paths, scipy_optim, surfaces

ROSEN = surfaces.get("rosenbrock")
MINIMUM = np.array([1.0, 1.0])


def _manual(surface, opt, start, steps):
    """The loop descend() must reproduce exactly."""
    p = np.array(start, dtype=float)
    pts, states = [p.copy()], []
    for _ in range(steps):
        opt.step(p, surface.grad(p))
        pts.append(p.copy())
        states.append({k: v.copy() for k, v in opt.state.items()})
    return np.array(pts), states


# -- descend --------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: optim.SGD(lr=1e-3, momentum=0.9),
    lambda: optim.Adam(lr=0.05),
    lambda: optim.RMSprop(lr=0.01, centered=True, momentum=0.5),
    lambda: optim.Adagrad(lr=0.5),
    lambda: optim.NAdam(lr=0.05),
    lambda: optim.Adadelta(lr=1.0),
])
def test_descend_records_points_values_grads_and_state_exactly(make):
    res = paths.descend_full(ROSEN, make(), start=(-1.2, 1.0), steps=60)
    ref_pts, ref_states = _manual(ROSEN, make(), (-1.2, 1.0), 60)
    assert res.status == "ok" and res.stopped_at is None and res.n_steps == 60
    assert res.points.shape == (61, 2) and res.values.shape == (61,)
    np.testing.assert_array_equal(res.points, ref_pts)  # bit for bit
    np.testing.assert_array_equal(res.values, ROSEN.value(ref_pts))
    np.testing.assert_array_equal(res.grads, ROSEN.grad(ref_pts))
    assert set(res.state) == set(ref_states[-1]) and res.state
    for name, arr in res.state.items():
        assert arr.shape == (61, 2)
        np.testing.assert_array_equal(arr[0], 0.0)  # no step taken yet
        np.testing.assert_array_equal(arr[1:], [s[name] for s in ref_states])
    np.testing.assert_array_equal(paths.descend(ROSEN, make(), (-1.2, 1.0), 60), res.points)


def test_descend_resets_the_optimizer_and_never_moves_the_start():
    opt = optim.Adam(lr=0.1)
    start = np.array([0.5, 0.5])
    first = paths.descend(ROSEN, opt, start, 30)
    second = paths.descend(ROSEN, opt, start, 30)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(start, [0.5, 0.5])
    np.testing.assert_array_equal(first[0], start)
    assert paths.descend(ROSEN, opt, steps=0).shape == (1, 2)  # default start
    np.testing.assert_array_equal(paths.descend(ROSEN, opt, steps=0)[0], ROSEN.start)
    continued = paths.descend(ROSEN, opt, first[-1], 30, reset=False)
    assert not np.array_equal(continued, first)


# From the classic start (-1.2, 1), within these budgets (final point within 1e-3 of (1, 1)):
ROSENBROCK_BUDGETS = [
    ("Adam(lr=0.02), 5000 steps", lambda: optim.Adam(lr=0.02), 5000),
    ("RMSprop(lr=1e-3), 12000 steps", lambda: optim.RMSprop(lr=1e-3), 12000),
    ("SGD(lr=2e-3, momentum=0.9), 1500 steps", lambda: optim.SGD(lr=2e-3, momentum=0.9), 1500),
]


@pytest.mark.parametrize("label,make,steps", ROSENBROCK_BUDGETS,
                         ids=[b[0] for b in ROSENBROCK_BUDGETS])
def test_first_order_optimizers_reach_rosenbrocks_minimum(label, make, steps):
    res = paths.descend_full(ROSEN, make(), (-1.2, 1.0), steps)
    assert res.status == "ok"
    assert np.linalg.norm(res.points[-1] - MINIMUM) < 1e-3, label


def test_lbfgsb_reaches_rosenbrocks_minimum_within_100_iterations():
    pts = paths.minimize(ROSEN, "L-BFGS-B", (-1.2, 1.0), maxiter=100)
    assert len(pts) <= 101 and np.linalg.norm(pts[-1] - MINIMUM) < 1e-3


def test_gd_with_too_large_a_step_is_marked_not_raised():
    res = paths.descend_full(ROSEN, optim.SGD(lr=0.01), (-1.2, 1.0), 500)
    assert res.status == "left_bounds" and res.stopped_at is not None
    assert len(res.points) == res.stopped_at < 501
    assert np.all(np.isfinite(res.points)) and "step" in res.message
    for arr in (res.values, res.grads):
        assert len(arr) == len(res.points)
    # without a bound it runs on until the numbers overflow
    free = paths.descend_full(ROSEN, optim.SGD(lr=0.01), (-1.2, 1.0), 500, bound=None)
    assert free.status == "diverged" and np.all(np.isfinite(free.points))
    assert len(free.points) == free.stopped_at > len(res.points)
    assert len(paths.descend(ROSEN, optim.SGD(lr=0.01), (-1.2, 1.0), 500)) == res.stopped_at


def test_escaping_a_saddle_leaves_the_bounds():
    s = surfaces.get("saddle")
    res = paths.descend_full(s, optim.SGD(lr=0.1), steps=500)
    assert res.status == "left_bounds" and abs(res.points[-1, 1]) > 10
    assert abs(res.points[-1, 0]) < 0.01  # the stable direction converged on the way


def test_expression_surfaces_work_and_nan_gradients_stop_the_path():
    bowl = surfaces.from_expression("x**2 + 10*y**2")
    pts = paths.descend(bowl, optim.SGD(lr=0.04, momentum=0.5), (3.0, -2.0), 300)
    assert np.linalg.norm(pts[-1]) < 1e-8
    res = paths.descend_full(surfaces.from_expression("sqrt(x) + y**2"),
                             optim.SGD(lr=3.0), (0.5, 1.0), 10)
    assert res.status == "diverged" and np.all(np.isfinite(res.points))


def test_bad_arguments_name_the_value():
    with pytest.raises(ValueError, match=r"start must be two finite numbers.*nan"):
        paths.descend(ROSEN, optim.SGD(), (np.nan, 1.0), 5)
    with pytest.raises(ValueError, match="steps must be an integer >= 0, got -1"):
        paths.descend(ROSEN, optim.SGD(), None, -1)
    with pytest.raises(TypeError, match="step"):
        paths.descend(ROSEN, object(), None, 5)
    with pytest.raises(TypeError, match="Surface"):
        paths.descend("rosenbrock", optim.SGD(), None, 5)
    with pytest.raises(ValueError, match="bound"):
        paths.descend(ROSEN, optim.SGD(), None, 5, bound=-1)


# -- Newton ---------------------------------------------------------------------------------

def test_newton_solves_a_quadratic_in_one_step_and_rosenbrock_quickly():
    bowl = surfaces.get("quadratic_bowl", kappa=1000, angle=0.4)
    pts = paths.newton(bowl, steps=1)
    np.testing.assert_allclose(pts[-1], [0.0, 0.0], atol=1e-12)
    res = paths.newton_full(ROSEN, (-1.2, 1.0), steps=10)
    assert np.linalg.norm(res.points[-1] - MINIMUM) < 1e-8
    assert res.state["hessian_eigenvalues"].shape == (11, 2)
    half = paths.newton(bowl, steps=3, damping=0.5)
    np.testing.assert_allclose(half[1], 0.5 * bowl.start, atol=1e-12)


def test_newton_falls_back_to_a_gradient_step_where_curvature_is_negative():
    s = surfaces.get("saddle")
    res = paths.newton_full(s, (-1.5, 0.05), steps=200)
    assert res.info["fallback_steps"] > 0
    assert res.status == "left_bounds"  # a gradient step descends away from the saddle
    assert np.all(res.state["hessian_eigenvalues"][:, 0] < 0)
    res = paths.newton_full(s, (-1.5, 0.05), steps=3, fallback_lr=0.1)
    np.testing.assert_allclose(res.points[1], [-1.5 + 0.1 * 3.0, 0.05 * 1.2])


# -- scipy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", scipy_optim.METHODS)
@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "beale"])
def test_scipy_paths_start_at_the_start_and_end_at_res_x(method, name):
    s = surfaces.get(name)
    res = paths.minimize_full(s, method, s.start, maxiter=300)
    pts = res.points
    np.testing.assert_array_equal(pts[0], s.start)
    assert res.status == "ok"
    # the same run, straight through scipy
    kwargs = {"jac": True} if method != "Nelder-Mead" else {}
    if method in ("Newton-CG", "trust-ncg"):
        kwargs["hessp"] = s.hessp
    fun = s.fun_and_grad if method != "Nelder-Mead" else (lambda p: float(s.value(p)))
    direct = scipy.optimize.minimize(fun, s.start.copy(), method=method,
                                     options={"maxiter": 300}, **kwargs)
    np.testing.assert_allclose(pts[-1], direct.x, rtol=1e-12, atol=1e-12)
    assert len(pts) >= direct.nit  # every iterate, not just the end
    np.testing.assert_allclose(res.values, s.value(pts), rtol=1e-12, atol=1e-300)
    assert len(np.unique(pts, axis=0)) > min(3, direct.nit)  # copies, not one reused buffer
    assert res.info["nit"] == direct.nit


def test_scipy_values_decrease_for_line_search_methods():
    for method in ("L-BFGS-B", "BFGS", "CG"):
        vals = paths.minimize_full(ROSEN, method, maxiter=200).values
        assert np.all(np.diff(vals) <= 1e-12), method


def test_minimize_flat_trains_a_flat_vector_with_a_reused_gradient_buffer():
    """A model hands back a view of its own gradient buffer: the bridge must copy it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5))
    w_true = rng.normal(size=5)
    y = (X @ w_true > 0).astype(float)
    buf = np.empty(5)

    def loss_and_grad(w):
        z = X @ w
        p = 1 / (1 + np.exp(-z))
        buf[:] = X.T @ (p - y) / len(y) + 1e-2 * w
        loss = np.mean(np.logaddexp(0, z) - y * z) + 0.5e-2 * w @ w
        return loss, buf  # the same array every call

    for method in ("L-BFGS-B", "BFGS", "CG", "Newton-CG", "trust-ncg"):
        its, vals, res = scipy_optim.minimize_flat(loss_and_grad, np.zeros(5), method, 200)
        assert its.shape[1] == 5 and its.shape[0] == len(vals)
        np.testing.assert_array_equal(its[0], 0.0)
        np.testing.assert_array_equal(its[-1], res.x)
        assert res.success, (method, res.message)
        _, g = loss_and_grad(res.x)
        assert np.linalg.norm(g) < 1e-4, method


def test_minimize_flat_options():
    s = surfaces.get("booth")
    with pytest.raises(ValueError, match=r"unknown method 'adam'.*L-BFGS-B"):
        scipy_optim.minimize_flat(s.fun_and_grad, [0.0, 0.0], "adam", 10)
    with pytest.raises(ValueError, match="cannot handle bounds"):
        scipy_optim.minimize_flat(s.fun_and_grad, [0.0, 0.0], "BFGS", 10, bounds=[(0, 1)] * 2)
    its, _, res = scipy_optim.minimize_flat(s.fun_and_grad, [0.0, 0.0], "l-bfgs-b", 50,
                                            bounds=[(-1, 0.5), (-1, 0.5)])
    assert np.all(its <= 0.5) and np.allclose(res.x, [0.5, 0.5])
    seen = []
    its, _, res = scipy_optim.minimize_flat(
        ROSEN.fun_and_grad, ROSEN.start, "BFGS", 100,
        callback=lambda k, x, f: seen.append(k) or k == 5)
    assert seen == [1, 2, 3, 4, 5] and len(its) == 6
    its, vals, res = scipy_optim.minimize_flat(ROSEN.fun_and_grad, ROSEN.start, "BFGS", 100,
                                               keep_every=10)
    assert len(its) == res.nit // 10 + 1 + (res.nit % 10 != 0)
    np.testing.assert_array_equal(its[-1], res.x)
    its, vals, res = scipy_optim.minimize_flat(ROSEN.fun_and_grad, ROSEN.start, "CG", 0)
    assert its.shape == (1, 2)


def test_scipy_path_that_runs_away_is_marked():
    s = surfaces.get("saddle")
    res = paths.minimize_full(s, "BFGS", maxiter=100)
    assert res.status == "left_bounds" and np.all(np.abs(res.points) <= 20)
    assert len(res.points) == res.stopped_at


# -- learning-rate sweep ----------------------------------------------------------------------

SWEEPS = [
    lambda lr: optim.Adam(lr=lr),
    lambda lr: optim.SGD(lr=lr, momentum=0.9),
    lambda lr: optim.SGD(lr=lr, momentum=0.9, nesterov=True),
    lambda lr: optim.RMSprop(lr=lr, momentum=0.3, centered=True),
    lambda lr: optim.Adagrad(lr=lr, lr_decay=0.01),
    lambda lr: optim.Adadelta(lr=lr),
    lambda lr: optim.NAdam(lr=lr),
    lambda lr: optim.Adam(lr=lr, amsgrad=True),
]


@pytest.mark.parametrize("make", SWEEPS)
@pytest.mark.parametrize("name", ["quadratic_bowl", "himmelblau"])
def test_batched_sweep_equals_one_run_per_rate(make, name):
    """Equal up to rounding where the dynamics are tame; a rate that sends the path
    bouncing chaotically can end anywhere, so there only convergence is compared."""
    s = surfaces.get(name)
    lrs = np.geomspace(1e-4, 3.0, 10)
    batched = paths.lr_sweep(s, make, lrs, steps=150, method="batched")
    looped = paths.lr_sweep(s, make, lrs, steps=150)
    assert batched.shape == looped.shape == (10,)
    tame = lrs <= 0.03
    np.testing.assert_allclose(batched[tame], looped[tame], rtol=1e-8, atol=1e-12)
    converged = looped < 1e-10
    assert np.all(batched[converged] < 1e-8)
    # and the loop is exactly what descend() shows for that rate
    for k in (0, int(np.argmin(looped))):
        assert looped[k] == paths.descend_full(s, make(float(lrs[k])), steps=150).final_value


def test_sweep_marks_divergent_rates_and_refuses_unbatchable_optimizers():
    lrs = [1e-4, 1e-3, 0.01, 0.1]
    for method in ("loop", "batched"):
        out = paths.lr_sweep(ROSEN, lambda lr: optim.SGD(lr=lr), lrs, steps=200, method=method)
        assert np.all(np.isfinite(out[:2])) and np.all(np.isinf(out[2:]))
    # weight decay acts on θ itself, a global clip norm couples the runs: loop only
    for make in (lambda lr: optim.AdamW(lr=lr, weight_decay=0.1),
                 lambda lr: optim.Adam(lr=lr, clip_norm=1.0),
                 lambda lr: optim.Adam(lr=0.1)):  # ignores its argument
        assert np.all(np.isfinite(paths.lr_sweep(ROSEN, make, lrs, steps=20)))
        with pytest.raises(ValueError, match="cannot be batched"):
            paths.lr_sweep(ROSEN, make, lrs, steps=10, method="batched")
    with pytest.raises(ValueError, match="lrs must be"):
        paths.lr_sweep(ROSEN, lambda lr: optim.SGD(lr=lr), [0.1, -1.0], steps=10)
