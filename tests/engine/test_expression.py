"""The safe expression parser and from_expression surfaces."""

import builtins
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import expression, surfaces
from engine.expression import ExpressionError

FORMULAS = {
    "rosenbrock": "(1 - x)**2 + 100*(y - x**2)**2",
    "beale": "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "booth": "(x + 2*y - 7)**2 + (2*x + y - 5)**2",
    "rastrigin": "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
    "ackley": "-20*exp(-0.2*sqrt((x**2 + y**2)/2)) - exp((cos(2*pi*x) + cos(2*pi*y))/2)"
              " + 20 + e",
    "goldstein_price": "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
                       " * (30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))",
    "six_hump_camel": "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2",
    "saddle": "x**2 - y**2",
}


def _bowl_formula(kappa, angle):
    c, s, l1 = math.cos(angle), math.sin(angle), 1 / kappa
    a, b, d = l1 * c * c + s * s, (l1 - 1) * c * s, l1 * s * s + c * c
    return f"0.5*({a!r}*x**2 + 2*({b!r})*x*y + {d!r}*y**2)"


def _points(s, n=20, seed=0):
    (x0, x1), (y0, y1) = s.domain
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def _rel(a, b):
    return np.max(np.abs(a - b) / (1 + np.abs(b)))


@pytest.mark.parametrize("name", sorted(FORMULAS) + ["quadratic_bowl"])
def test_agrees_with_builtin_surfaces(name):
    if name == "quadratic_bowl":
        ref = surfaces.get(name, kappa=50, angle=0.7)
        text = _bowl_formula(50, 0.7)
    else:
        ref, text = surfaces.get(name), FORMULAS[name]
    s = surfaces.from_expression(text, domain=ref.domain)
    p = _points(ref)
    assert _rel(s.value(p), ref.value(p)) < 1e-12
    # complex step: no subtraction, agreement to rounding
    assert _rel(s.grad(p), ref.grad(p)) < 1e-12
    # Hessian: 4th-order differences of the complex-step gradient
    assert _rel(s.hessian(p), ref.hessian(p)) < 1e-9


ANALYTIC = [
    # text, f, (fx, fy), (fxx, fxy, fyy)
    ("sin(x)*exp(y)", lambda x, y: np.sin(x) * np.exp(y),
     lambda x, y: (np.cos(x) * np.exp(y), np.sin(x) * np.exp(y)),
     lambda x, y: (-np.sin(x) * np.exp(y), np.cos(x) * np.exp(y), np.sin(x) * np.exp(y))),
    ("log(x**2 + 1) + tanh(x*y)", lambda x, y: np.log(x * x + 1) + np.tanh(x * y),
     lambda x, y: (2 * x / (x * x + 1) + y / np.cosh(x * y) ** 2, x / np.cosh(x * y) ** 2),
     lambda x, y: (2 * (1 - x * x) / (x * x + 1) ** 2
                   - 2 * y * y * np.tanh(x * y) / np.cosh(x * y) ** 2,
                   (1 - 2 * x * y * np.tanh(x * y)) / np.cosh(x * y) ** 2,
                   -2 * x * x * np.tanh(x * y) / np.cosh(x * y) ** 2)),
    ("sqrt(x**2 + y**2 + 1) / (2 + tan(y/4))",
     lambda x, y: np.sqrt(x * x + y * y + 1) / (2 + np.tan(y / 4)), None, None),
    ("abs(x)**3 + y**-2", lambda x, y: np.abs(x) ** 3 + y**-2.0,
     lambda x, y: (3 * x * np.abs(x), -2 * y**-3.0),
     lambda x, y: (6 * np.abs(x), 0 * x, 6 * y**-4.0)),
    ("2**x * y**x", lambda x, y: 2.0**x * y**x,
     lambda x, y: (2.0**x * y**x * (np.log(2) + np.log(y)), 2.0**x * x * y ** (x - 1)), None),
]


@pytest.mark.parametrize("case", ANALYTIC, ids=[c[0] for c in ANALYTIC])
def test_derivative_accuracy_against_closed_forms(case):
    text, f, g, h = case
    ex = expression.parse(text)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0.3, 2.5, 40), rng.uniform(0.3, 2.5, 40)
    assert _rel(ex.value(x, y), f(x, y)) < 1e-15
    gx, gy = ex.gradient(x, y)
    if g is None:  # compare with central differences of the value instead
        hh = 1e-5
        g = lambda x, y: ((f(x + hh, y) - f(x - hh, y)) / (2 * hh),  # noqa: E731
                          (f(x, y + hh) - f(x, y - hh)) / (2 * hh))
        tol = 1e-8
    else:
        tol = 2e-15
    ex_gx, ex_gy = g(x, y)
    assert _rel(gx, ex_gx) < tol and _rel(gy, ex_gy) < tol
    if h is not None:
        for got, want in zip(ex.hessian(x, y), h(x, y), strict=True):
            assert _rel(got, want) < 1e-9


def test_real_domain_is_kept_by_the_complex_step():
    ex = expression.parse("sqrt(x) + log(y) + x**0.5")
    x, y = np.array([-1.0, 4.0, 4.0]), np.array([1.0, -1.0, 2.0])
    v = ex.value(x, y)
    gx, gy = ex.gradient(x, y)
    # outside the real domain: nan value and nan derivatives, not the complex branch
    assert np.all(np.isnan(v[:2])) and np.all(np.isnan(gx[:2])) and np.all(np.isnan(gy[:2]))
    assert gx[2] == pytest.approx(2 * 0.5 / 2.0, rel=1e-15)
    assert gy[2] == pytest.approx(0.5, rel=1e-15)
    # abs: the sign, with the right side at 0
    gx, _ = expression.parse("abs(x)").gradient(np.array([-2.0, 3.0]), 0.0)
    np.testing.assert_array_equal(gx, [-1.0, 1.0])
    # integer powers of negative numbers are fine
    gx, _ = expression.parse("x**3").gradient(-2.0, 0.0)
    assert gx == 12.0


def test_broadcasting_and_constants():
    ex = expression.parse("3 + pi - e")
    assert ex.value(np.zeros((2, 3)), 0.0).shape == (2, 3)
    gx, gy = ex.gradient(np.zeros(4), np.zeros(4))
    np.testing.assert_array_equal(gx, 0.0)
    hxx, hxy, hyy = expression.parse("x**2*y").hessian(np.ones((2, 2)), 3.0)
    assert hxx.shape == (2, 2)
    np.testing.assert_allclose(hxx, 6.0, rtol=1e-10)
    np.testing.assert_allclose(hxy, 2.0, rtol=1e-10)
    assert expression.parse("y").variables == frozenset({"y"})


REFUSED = [
    # text, part of the message, 1-based column (None: not about one place), snippet
    ("__import__('os')", "unknown function '__import__'", 1, "__import__"),
    ("x + y.real", "attribute access", 5, "y.real"),
    ("().__class__", "attribute access", 1, "().__class__"),
    ("x.__class__.__bases__", "attribute access", 1, None),
    ("open('f')", "unknown function 'open'", 1, "open"),
    ("eval('1')", "unknown function 'eval'", 1, "eval"),
    ("x + z", "unknown name 'z'", 5, "z"),
    ("__builtins__", "unknown name", 1, None),
    ("lambda x: x", "lambda", 1, None),
    ("[x for x in y]", "comprehension", 1, None),
    ("(x for x in y)", "comprehension", 1, None),
    ("{x: 1 for x in y}", "comprehension", 1, None),
    ("x if y else 1", "conditional", 1, None),
    ("x < y", "comparison", 1, None),
    ("x and y", "'and'/'or'", 1, None),
    ("x[0]", "indexing", 1, None),
    ("(x := 2)", "assignment", 2, None),
    ("x, y", "tuple", 1, None),
    ("x % 2", "'%'", 3, "%"),
    ("x // 2", "'//'", 3, "//"),
    ("x ^ 2", "use ** for powers", 3, "^"),
    ("~x", "'~'", 1, None),
    ("not x", "'not'", 1, None),
    ("9**9**9", "exponent", 4, "9**9"),
    ("x**1000", "exponent 1000", 4, "1000"),
    ("x**(10*11)", "exponent 110", 5, "10*11"),
    ("2**x**200", "exponent 200", 7, "200"),
    ("x**(1/0)", "exponent", 5, "1/0"),
    ("x**1e400", "number too large", 4, "1e400"),
    ("1" + "0" * 400, "number too large", 1, None),
    ("sin(x, y)", "takes exactly one argument", 1, "sin(x, y)"),
    ("sin(x=1)", "takes exactly one argument", 1, None),
    ("sin(*x)", "takes exactly one argument", 1, None),
    ("x(2)", "unknown function 'x'", 1, "x"),
    ("exp + 1", "must be called", 1, "exp"),
    ("'x'", "'x'", 1, None),
    ("1j*x", "imaginary", 1, "1j"),
    ("True + x", "True", 1, None),
    ("2x", "write multiplication explicitly", 1, None),
    ("x +", "syntax error", None, None),
    ("sin(x", "syntax error", None, None),
    ("", "empty expression", None, None),
    ("   \n ", "empty expression", None, None),
    ("x²", "syntax error", 2, "²"),
    ("x + \x00", "unprintable character U+0000", 5, "\x00"),
]


@pytest.mark.parametrize("text,message,column,snippet", REFUSED, ids=[r[0][:20] for r in REFUSED])
def test_refuses_everything_outside_the_grammar(text, message, column, snippet):
    with pytest.raises(ExpressionError) as info:
        surfaces.from_expression(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert message in str(err)
    if column is not None:
        assert err.column == column, str(err)
        assert f"column {column}" in str(err)
        assert err.caret.splitlines()[1].index("^") == column - 1
    if snippet is not None:
        assert err.snippet == snippet


def test_length_and_nesting_limits():
    flat_sum = "+".join(["x"] * 250)  # 499 characters, a deep left-leaning tree: fine
    assert len(flat_sum) == 499
    assert float(expression.parse(flat_sum)(1.0, 0.0)) == 250.0
    with pytest.raises(ExpressionError, match=r"501 characters long; at most 500"):
        expression.parse("x" + "+x" * 250)
    with pytest.raises(ExpressionError, match="nested 60 deep"):
        expression.parse("(" * 60 + "x" + ")" * 60)
    with pytest.raises(ExpressionError, match="nested .* deep"):
        expression.parse("sin(" * 60 + "x" + ")" * 60)
    with pytest.raises(ExpressionError, match="nested .* deep"):
        expression.parse("-" * 200 + "x")
    with pytest.raises(ExpressionError, match="nested .* deep"):
        expression.parse("x" + "**x" * 120)
    assert expression.parse("-" * 40 + "x")(2.0, 0.0) == 2.0
    with pytest.raises(TypeError, match="must be a string"):
        expression.parse(3)


def test_never_calls_eval_or_exec(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    s = surfaces.from_expression(FORMULAS["ackley"])
    s.value([1.0, 2.0]), s.grad([1.0, 2.0]), s.hessian([1.0, 2.0])
    with pytest.raises(ExpressionError):
        surfaces.from_expression("__import__('os').system('true')")


def test_numpy_warnings_never_escape():
    ex = expression.parse("log(x) + 1/y + exp(1000*x) + sqrt(-1) + x**-3 + tan(pi/2)*0")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        pts = np.array([0.0, -1.0, 1e308, np.inf, np.nan])
        v = ex.value(pts, pts)
        g = ex.gradient(pts, pts)
        h = ex.hessian(pts, pts)
        s = surfaces.from_expression("exp(x**2)")
        s.value([1e200, 0]), s.grad([1e200, 0]), s.hessian([1e200, 0])
    assert v.shape == (5,) and not np.all(np.isfinite(v))
    assert g[0].shape == (5,) and h[0].shape == (5,)


def test_from_expression_surface_interface():
    s = surfaces.from_expression("x**2 + 10*y**2")
    assert s.domain == ((-5.0, 5.0), (-5.0, 5.0))
    assert s.minima.shape == (0, 2) and s.min_value is None
    assert s.start.shape == (2,) and np.linalg.norm(s.grad(s.start)) > 0
    assert "x**2 + 10*y**2" in s.description
    xs, ys, z = s.grid(50)
    assert z.shape == (50, 50)
    custom = surfaces.from_expression("log(x)", domain=((0.1, 3), (-1, 1)), start=(2.0, 0.0))
    np.testing.assert_array_equal(custom.start, [2.0, 0.0])
    # the default start avoids points where the function is undefined
    assert np.isfinite(surfaces.from_expression("log(x) + y**2").value(
        surfaces.from_expression("log(x) + y**2").start))
    with pytest.raises(ValueError, match="domain"):
        surfaces.from_expression("x", domain=((1, 0), (0, 1)))
    with pytest.raises(ValueError, match="start"):
        surfaces.from_expression("x", start=(1.0,))


def test_whitespace_and_newlines_keep_columns():
    assert expression.parse("  (x +\n y)")(1.0, 2.0) == 3.0
    with pytest.raises(ExpressionError) as info:
        expression.parse("  x + q")
    assert info.value.column == 7


# -- property tests -----------------------------------------------------------------------

JUNK = st.text(max_size=600)
NEAR_GRAMMAR = st.text(alphabet="xy0123456789.e+-*/() ,sincotaxplgqrbhp_[]:^%<=j'", max_size=80)


def _exercise(text):
    try:
        ex = expression.parse(text)
    except ExpressionError:
        return
    pts = np.array([-1.5, 0.0, 0.7, 3.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        v = ex.value(pts, pts[::-1])
        g = ex.gradient(pts, pts[::-1])
        h = ex.hessian(pts, pts[::-1])
    assert v.shape == g[0].shape == h[2].shape == (4,)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JUNK)
def test_junk_text_only_raises_expression_error(text):
    _exercise(text)


@settings(max_examples=300, deadline=None)
@given(NEAR_GRAMMAR)
def test_near_grammar_text_only_raises_expression_error(text):
    _exercise(text)


# Valid expressions built together with a reference NumPy function.
_LEAVES = st.sampled_from([
    ("x", lambda x, y: x), ("y", lambda x, y: y), ("pi", lambda x, y: np.pi + 0 * x),
    ("2.5", lambda x, y: 2.5 + 0 * x), ("e", lambda x, y: np.e + 0 * x),
])
_UNARY = [("sin", np.sin), ("cos", np.cos), ("tanh", np.tanh), ("exp", np.exp)]
_BINARY = [("+", np.add), ("-", np.subtract), ("*", np.multiply)]


def _extend(children):
    unary = st.tuples(st.sampled_from(_UNARY), children).map(
        lambda t: (f"{t[0][0]}({t[1][0]})", lambda x, y, fn=t[0][1], c=t[1][1]: fn(c(x, y))))
    binary = st.tuples(st.sampled_from(_BINARY), children, children).map(
        lambda t: (f"({t[1][0]}) {t[0][0]} ({t[2][0]})",
                   lambda x, y, fn=t[0][1], a=t[1][1], b=t[2][1]: fn(a(x, y), b(x, y))))
    square = children.map(lambda c: (f"({c[0]})**2", lambda x, y, f=c[1]: f(x, y) ** 2))
    return st.one_of(unary, binary, square)


VALID = st.recursive(_LEAVES, _extend, max_leaves=8)


@settings(max_examples=100, deadline=None)
@given(VALID)
def test_generated_formulas_evaluate_like_numpy_and_differentiate(pair):
    text, ref = pair
    ex = expression.parse(text)
    x, y = np.array([-0.8, 0.3, 1.1]), np.array([0.5, -1.2, 0.9])
    with np.errstate(all="ignore"):
        want = ref(x, y)
    np.testing.assert_allclose(ex.value(x, y), want, rtol=1e-12, atol=1e-12)
    # complex-step gradient against central differences of the value
    gx, gy = ex.gradient(x, y)
    h = 1e-6
    with np.errstate(all="ignore"):
        fx = (ref(x + h, y) - ref(x - h, y)) / (2 * h)
        fy = (ref(x, y + h) - ref(x, y - h)) / (2 * h)
    finite = np.isfinite(want) & (np.abs(want) < 1e6)
    tol = 1e-5 * (1 + np.abs(want) + np.abs(fx) + np.abs(fy))
    assert np.all(np.abs(gx - fx)[finite] <= tol[finite])
    assert np.all(np.abs(gy - fy)[finite] <= tol[finite])
