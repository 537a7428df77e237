"""Built-in 2-D test functions: exact derivatives, listed minima, vectorisation, errors."""

import re
import warnings

import numpy as np
import pytest

from engine import surfaces

ALL = [(name, {}) for name in surfaces.names()] + [
    ("quadratic_bowl", {"kappa": 100, "angle": 0.3}),
    ("quadratic_bowl", {"kappa": 1, "angle": -2.0}),
]
IDS = [n + "".join(f"-{k}={v}" for k, v in o.items()) for n, o in ALL]


def _random_points(s, n=25, seed=0):
    (x0, x1), (y0, y1) = s.domain
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def _central_grad(fun, p, h):
    """4th-order central differences of a scalar function of (2,) -> (2,)."""
    out = np.empty(2)
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        out[k] = (-fun(p + 2 * e) + 8 * fun(p + e) - 8 * fun(p - e) + fun(p - 2 * e)) / (12 * h)
    return out


def test_names_are_the_documented_snake_case_set():
    assert surfaces.names() == [
        "rosenbrock", "beale", "himmelblau", "booth", "rastrigin", "ackley",
        "goldstein_price", "six_hump_camel", "saddle", "quadratic_bowl",
    ]
    for name in surfaces.names():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", name)
        assert surfaces.get(name).name == name


@pytest.mark.parametrize("name,opts", ALL, ids=IDS)
def test_gradient_matches_central_differences(name, opts):
    s = surfaces.get(name, **opts)
    for p in _random_points(s):
        num = _central_grad(lambda q: float(s.value(q)), p, 1e-4)
        exact = s.grad(p)
        scale = 1.0 + np.abs(exact) + 1e-9 * abs(float(s.value(p)))
        assert np.all(np.abs(num - exact) <= 1e-7 * scale), (name, p, num, exact)


@pytest.mark.parametrize("name,opts", ALL, ids=IDS)
def test_hessian_matches_central_differences_of_the_gradient(name, opts):
    s = surfaces.get(name, **opts)
    for p in _random_points(s, seed=1):
        num = np.column_stack([_central_grad(lambda q, i=i: s.grad(q)[i], p, 1e-4)
                               for i in range(2)]).T
        exact = s.hessian(p)
        assert np.allclose(exact, exact.T)
        scale = 1.0 + np.abs(exact) + 1e-9 * np.max(np.abs(s.grad(p)))
        assert np.all(np.abs(num - exact) <= 1e-7 * scale), (name, p, num, exact)


@pytest.mark.parametrize("name,opts", ALL, ids=IDS)
def test_listed_minima_have_zero_gradient_and_the_listed_value(name, opts):
    s = surfaces.get(name, **opts)
    assert s.minima.ndim == 2 and s.minima.shape[1] == 2
    if len(s.minima) == 0:
        assert s.min_value is None
        return
    for m in s.minima:
        assert np.linalg.norm(s.grad(m)) < 1e-9, (name, m, s.grad(m))
        assert float(s.value(m)) == pytest.approx(s.min_value, abs=1e-12)
        # a minimum, not a saddle: no descent direction nearby
        (x0, x1), (y0, y1) = s.domain
        ring = m + 1e-3 * np.array([[np.cos(t), np.sin(t)] for t in np.linspace(0, 6.28, 16)])
        assert np.all(s.value(ring) >= s.min_value - 1e-12)
        assert x0 <= m[0] <= x1 and y0 <= m[1] <= y1


def test_reference_table_minima():
    """The values of REFERENCE.md §5 to the digits printed there."""
    gp = surfaces.get("goldstein_price")
    assert float(gp.value([0, -1])) == pytest.approx(3.0, abs=1e-12)
    camel = surfaces.get("six_hump_camel")
    assert float(camel.value([0.0898420, -0.7126564])) == pytest.approx(-1.0316285, abs=1e-7)
    hb = surfaces.get("himmelblau")
    for p in [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]:
        assert float(hb.value(p)) == pytest.approx(0.0, abs=1e-9)
    assert float(surfaces.get("rosenbrock").value([-1.2, 1])) == pytest.approx(24.2)
    np.testing.assert_array_equal(surfaces.get("rosenbrock").start, [-1.2, 1.0])


@pytest.mark.parametrize("name,opts", ALL, ids=IDS)
def test_metadata_is_sensible(name, opts):
    s = surfaces.get(name, **opts)
    (x0, x1), (y0, y1) = s.domain
    assert x0 < x1 and y0 < y1
    assert s.start.shape == (2,) and x0 <= s.start[0] <= x1 and y0 <= s.start[1] <= y1
    assert np.isfinite(s.value(s.start)) and np.linalg.norm(s.grad(s.start)) > 1e-3
    assert isinstance(s.description, str) and len(s.description) > 20
    with pytest.raises(ValueError):
        s.start[0] = 5.0  # read-only: a path cannot move the classic start


@pytest.mark.parametrize("name,opts", ALL, ids=IDS)
def test_vectorised_evaluation_matches_pointwise(name, opts):
    s = surfaces.get(name, **opts)
    pts = _random_points(s, n=12, seed=2).reshape(3, 4, 2)
    v, g, h = s.value(pts), s.grad(pts), s.hessian(pts)
    assert v.shape == (3, 4) and g.shape == (3, 4, 2) and h.shape == (3, 4, 2, 2)
    for idx in np.ndindex(3, 4):
        p = pts[idx]
        assert v[idx] == pytest.approx(float(s.f(p[0], p[1])), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(g[idx], s.grad(p), rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(h[idx], s.hessian(p), rtol=1e-14, atol=1e-14)
    # broadcasting f(x, y): a row against a column gives the grid
    xs, ys, z = s.grid(200)
    assert z.shape == (200, 200)
    assert z[17, 150] == pytest.approx(float(s.f(xs[150], ys[17])), rel=1e-14, abs=1e-14)
    assert s.f(1.0, 2.0).shape == ()


def test_overflow_is_a_value_not_an_error():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for name in surfaces.names():
            s = surfaces.get(name)
            big = np.array([[1e200, -1e200], [np.inf, 0.0], [np.nan, 1.0]])
            s.value(big), s.grad(big), s.hessian(big)
        assert np.isinf(surfaces.get("rosenbrock").value([1e200, 1e200]))


def test_ackley_origin_uses_the_zero_subgradient():
    s = surfaces.get("ackley")
    np.testing.assert_array_equal(s.grad([0.0, 0.0]), [0.0, 0.0])
    assert np.all(np.isfinite(s.hessian([0.0, 0.0])))


def test_saddle_has_no_minimum_and_an_indefinite_hessian():
    s = surfaces.get("saddle")
    assert len(s.minima) == 0 and s.min_value is None
    np.testing.assert_array_equal(s.saddles, [[0.0, 0.0]])
    w = np.linalg.eigvalsh(s.hessian(s.saddles[0]))
    assert w[0] < 0 < w[1]


def test_quadratic_bowl_eigenvalues_and_rotation():
    s = surfaces.get("quadratic_bowl", kappa=100, angle=0.3)
    w, v = np.linalg.eigh(s.hessian([0.7, -0.2]))
    np.testing.assert_allclose(w, [0.01, 1.0], rtol=1e-12)
    # the flat eigenvector points along the rotated x axis
    assert abs(abs(v[:, 0] @ [np.cos(0.3), np.sin(0.3)]) - 1) < 1e-12
    assert s.options == {"kappa": 100.0, "angle": 0.3}
    default = surfaces.get("quadratic_bowl")
    np.testing.assert_allclose(np.linalg.eigvalsh(default.hessian([0, 0])), [0.1, 1.0])


def test_get_errors_name_the_value_and_the_choices():
    with pytest.raises(ValueError, match=r"unknown surface 'banana'.*rosenbrock.*quadratic_bowl"):
        surfaces.get("banana")
    with pytest.raises(ValueError, match="takes no options"):
        surfaces.get("rosenbrock", kappa=3)
    with pytest.raises(ValueError, match="unexpected"):
        surfaces.get("quadratic_bowl", kapa=3)
    with pytest.raises(ValueError, match=r"kappa must be .*>= 1, got 0.5"):
        surfaces.get("quadratic_bowl", kappa=0.5)
    with pytest.raises(ValueError, match="angle"):
        surfaces.get("quadratic_bowl", angle=float("nan"))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        surfaces.get("booth").grad([1.0, 2.0, 3.0])


def test_names_are_forgiving_about_case_and_dashes():
    assert surfaces.get("Goldstein-Price").name == "goldstein_price"
    assert surfaces.get(" six hump camel ").name == "six_hump_camel"


def test_fun_and_grad_and_hessp_for_scipy():
    s = surfaces.get("beale")
    p, v = np.array([1.0, 0.5]), np.array([0.3, -2.0])
    f, g = s.fun_and_grad(p)
    assert isinstance(f, float) and f == float(s.value(p))
    np.testing.assert_array_equal(g, s.grad(p))
    np.testing.assert_allclose(s.hessp(p, v), s.hessian(p) @ v)
