"""A safe parser for user-typed functions of x and y.

Grammar (a subset of Python's expression syntax):

    numbers, x, y, pi, e, + - * / ** (binary), + - (unary), parentheses,
    sin cos tan exp log sqrt abs tanh  (one argument each)

The text is parsed with :func:`ast.parse` and every node is checked against that
whitelist, then compiled into a tree of closures over NumPy functions. Nothing is
ever passed to ``eval``/``exec``/``compile``. Refused: text over 500 characters,
nesting deeper than 50 (calls, unary operators, right operands; long flat sums
like ``x + x + ... + x`` are fine), constant exponents with ``|p| > 100`` (so
``9**9**9`` never runs) and numbers that overflow a float.

Derivatives (``Expression.gradient``/``hessian``):

- gradient by the complex step ``df/dx = Im f(x + ih, y) / h`` with ``h = 1e-20``
  (Squire & Trapp 1998): no subtraction, so it is exact to rounding (~1e-15
  relative). The non-analytic primitives ``abs``, ``sqrt``, ``log`` and ``**`` (except
  integer powers up to 16, done by complex products) use their first-order
  "complexified" forms (Martins, Sturdza & Alonso 2003), e.g.
  ``sqrt(u + iv) = sqrt(u) + i v / (2 sqrt(u))``, so they keep the real function's
  domain (``nan`` where the real value is ``nan``) instead of the complex branch.
- Hessian by 4th-order central differences of that gradient,
  ``H[:, k] = [-g(p+2δe_k) + 8g(p+δe_k) - 8g(p-δe_k) + g(p-2δe_k)] / (12δ)``, with
  ``δ = 2⁻¹²`` (exact shifts), then symmetrised: relative error below 1e-10 on
  every built-in surface, oscillating ones included (the tests check 1e-9).

All evaluation runs under ``np.errstate(all="ignore")``: overflow and invalid
operations give ``inf``/``nan`` values, never warnings or exceptions.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "ExpressionError", "Expression", "parse",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "FUNCTIONS", "CONSTANTS", "VARIABLES",
]

MAX_LENGTH = 500
MAX_DEPTH = 50
MAX_EXPONENT = 100.0
VARIABLES = ("x", "y")
CONSTANTS = {"pi": float(np.pi), "e": float(np.e)}
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh")

_H = 1e-20  # complex step
_DELTA = 2.0**-12  # Hessian difference step; measured best of 2^-9..2^-14 on the built-ins


class ExpressionError(ValueError):
    """Bad expression text. ``column`` is 1-based (``None`` if not about one place);
    ``snippet`` is the offending text; ``caret`` shows the text with ``^`` under it."""

    def __init__(self, reason: str, text: str = "", column: int | None = None, length: int = 1):
        self.reason = reason
        self.text = text
        self.column = column
        self.snippet = "" if column is None else text[column - 1 : column - 1 + max(length, 1)]
        shown = self.snippet if len(self.snippet) <= 40 else self.snippet[:37] + "..."
        where = "" if column is None else f" at column {column}: {shown!r}"
        super().__init__(f"{reason}{where}")

    @property
    def caret(self) -> str:
        """Two lines: the text and a ``^^^`` marker under the offending part."""
        if self.column is None:
            return self.text
        return f"{self.text}\n{' ' * (self.column - 1)}{'^' * max(len(self.snippet), 1)}"


# ---------------------------------------------------------------------------------------
# Primitive operations, real and complex-step ("complexified") versions.
# ---------------------------------------------------------------------------------------

def _first_order(value: np.ndarray, slope: Any, v: np.ndarray) -> np.ndarray:
    """``value + i slope v``, with 0 (not 0·inf = nan) where the direction is unperturbed
    and nan wherever the real value is nan (no derivative outside the domain)."""
    with np.errstate(all="ignore"):
        imag = np.where(np.isnan(value), np.nan, np.where(v == 0, 0.0, slope * v))
    return value + 1j * imag


def _c_sqrt(z):
    u, v = z.real, z.imag
    s = np.sqrt(u)
    return _first_order(s, 0.5 / s, v)


def _c_log(z):
    u, v = z.real, z.imag
    return _first_order(np.log(u), 1.0 / u, v)


def _c_abs(z):
    return np.where(z.real < 0, -z, z)


def _c_pow_const(z, c: float):
    if c == 0:
        return np.ones_like(z)
    n = int(c)
    if n == c and abs(n) <= 16:
        # integer powers are analytic: plain complex products are an exact complex step
        # (and far cheaper than the general form)
        out, base, k = None, z, abs(n)
        while k:
            if k & 1:
                out = base if out is None else out * base
            k >>= 1
            if k:
                base = base * base
        return out if n > 0 else 1.0 / out
    u, v = z.real, z.imag
    return _first_order(np.power(u, c), c * np.power(u, c - 1), v)


def _c_pow(a, b):
    """General a**b: value ua**ub, derivative a**b (vb log ua + ub va / ua)."""
    ua, va, ub, vb = a.real, a.imag, b.real, b.imag
    p = np.power(ua, ub)
    da = _first_order(np.zeros_like(p), p * ub / ua, va).imag
    db = _first_order(np.zeros_like(p), p * np.log(ua), vb).imag
    return p + 1j * (da + db)


_REAL: dict[str, Callable] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "tanh": np.tanh,
    "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
    "pow": np.power, "pow_const": np.power,
}
_COMPLEX: dict[str, Callable] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "tanh": np.tanh,
    "log": _c_log, "sqrt": _c_sqrt, "abs": _c_abs,
    "pow": _c_pow, "pow_const": _c_pow_const,
}

_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}

_NODE_WORDS = {
    "Attribute": "attribute access", "Subscript": "indexing", "Slice": "slicing",
    "Lambda": "lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
    "DictComp": "a comprehension", "GeneratorExp": "a comprehension",
    "Compare": "a comparison", "BoolOp": "'and'/'or'", "IfExp": "a conditional expression",
    "Starred": "a starred argument", "JoinedStr": "an f-string", "FormattedValue": "an f-string",
    "NamedExpr": "assignment (:=)", "Await": "await", "Yield": "yield", "YieldFrom": "yield",
    "Tuple": "a tuple (is there a stray comma?)", "List": "a list", "Set": "a set",
    "Dict": "a dict",
}
_OP_WORDS = {
    ast.Mod: "'%'", ast.FloorDiv: "'//'", ast.MatMult: "'@'", ast.BitAnd: "'&'",
    ast.BitOr: "'|'", ast.LShift: "'<<'", ast.RShift: "'>>'", ast.Not: "'not'",
    ast.Invert: "'~'",
}
_OP_SYMBOLS = {
    ast.BitXor: "^", ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&",
    ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>",
}
_ALLOWED = "numbers, x, y, pi, e, + - * / **, parentheses and " + ", ".join(FUNCTIONS)

# A compiled node: evaluate(x, y, table) -> array. ``const`` is its value when it does
# not depend on x or y (folded at parse time).
Evaluator = Callable[[np.ndarray, np.ndarray, dict], Any]


class _Node:
    __slots__ = ("run", "const")

    def __init__(self, run: Evaluator, const: float | None = None):
        self.run = run
        self.const = const


def _constant(value: float) -> _Node:
    return _Node(lambda x, y, t: value, value)


class _Compiler:
    def __init__(self, text: str):
        self.text = text
        # ast offsets are UTF-8 byte offsets; convert to character columns
        self._encoded = text.encode("utf-8", "surrogatepass")

    def error(self, reason: str, node: ast.AST | None = None) -> ExpressionError:
        if node is None or not hasattr(node, "col_offset"):
            return ExpressionError(reason, self.text)
        start = self._column(node.col_offset)
        end = self._column(getattr(node, "end_col_offset", None) or node.col_offset + 1)
        return ExpressionError(reason, self.text, start + 1, max(end - start, 1))

    def op_error(self, reason: str, node: ast.BinOp) -> ExpressionError:
        """Point at the operator symbol itself (ast gives no position for it)."""
        symbol = _OP_SYMBOLS.get(type(node.op))
        end_left = getattr(node.left, "end_col_offset", None)
        if symbol is not None and end_left is not None:
            start = self._column(end_left)
            stop = self._column(node.right.col_offset)
            i = self.text.find(symbol, start, stop)
            if i >= 0:
                return ExpressionError(reason, self.text, i + 1, len(symbol))
        return self.error(reason, node)

    def _column(self, byte_offset: int) -> int:
        return len(self._encoded[:byte_offset].decode("utf-8", "ignore"))

    def compile(self, node: ast.AST) -> _Node:
        if isinstance(node, ast.BinOp):
            return self._chain(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        what = _NODE_WORDS.get(type(node).__name__, f"'{type(node).__name__}'")
        raise self.error(f"{what} is not allowed; use only {_ALLOWED}", node)

    def _number(self, node: ast.Constant) -> _Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "an imaginary number" if isinstance(value, complex) else repr(value)
            raise self.error(f"{kind} is not allowed; expected a real number", node)
        try:
            value = float(value)
        except OverflowError:
            value = float("inf")
        if not np.isfinite(value):
            raise self.error("number too large for a float (at most about 1.8e308)", node)
        return _constant(value)

    def _name(self, node: ast.Name) -> _Node:
        name = node.id
        if name == "x":
            return _Node(lambda x, y, t: x)
        if name == "y":
            return _Node(lambda x, y, t: y)
        if name in CONSTANTS:
            return _constant(CONSTANTS[name])
        if name in FUNCTIONS:
            raise self.error(f"function {name!r} must be called with one argument, "
                             f"e.g. {name}(x)", node)
        if name == "π":
            raise self.error("unknown name 'π'; write pi", node)
        raise self.error(f"unknown name {name!r}; expected x, y, pi, e or a function "
                         f"{', '.join(FUNCTIONS)}", node)

    def _call(self, node: ast.Call) -> _Node:
        func = node.func
        if not isinstance(func, ast.Name):
            self.compile(func)  # reports attribute access etc. at its own position
            raise self.error("only the listed functions can be called", func)
        if func.id not in FUNCTIONS:
            raise self.error(f"unknown function {func.id!r}; expected one of "
                             f"{', '.join(FUNCTIONS)}", func)
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.error(f"{func.id}() takes exactly one argument, "
                             f"e.g. {func.id}(x)", node)
        arg = self.compile(node.args[0])
        name = func.id
        if arg.const is not None:
            return _constant(_fold(_REAL[name], arg.const))
        run = arg.run
        return _Node(lambda x, y, t: t[name](run(x, y, t)))

    def _unary(self, node: ast.UnaryOp) -> _Node:
        if not isinstance(node.op, ast.UAdd | ast.USub):
            raise self.error(f"{_OP_WORDS.get(type(node.op), 'this operator')} is not allowed; "
                             f"use only {_ALLOWED}", node)
        arg = self.compile(node.operand)
        if isinstance(node.op, ast.UAdd):
            return arg
        if arg.const is not None:
            return _constant(-arg.const)
        run = arg.run
        return _Node(lambda x, y, t: -run(x, y, t))

    def _chain(self, node: ast.BinOp) -> _Node:
        # Walk the left spine iteratively: "x + x + ... + x" is a deep left-leaning tree.
        spine: list[ast.BinOp] = []
        while isinstance(node, ast.BinOp):
            spine.append(node)
            node = node.left
        acc = self.compile(node)
        for op_node in reversed(spine):
            acc = self._binary(op_node, acc, self.compile(op_node.right))
        return acc

    def _binary(self, node: ast.BinOp, left: _Node, right: _Node) -> _Node:
        op = type(node.op)
        if op is ast.Pow:
            return self._power(node, left, right)
        if op not in _BINARY:
            if op is ast.BitXor:
                raise self.op_error("'^' is not allowed; use ** for powers (x**2)", node)
            raise self.op_error(f"{_OP_WORDS.get(op, 'this operator')} is not allowed; "
                                f"use only {_ALLOWED}", node)
        fn = _BINARY[op]
        if left.const is not None and right.const is not None:
            return _constant(_fold(fn, left.const, right.const))
        lr, rr = left.run, right.run
        return _Node(lambda x, y, t: fn(lr(x, y, t), rr(x, y, t)))

    def _power(self, node: ast.BinOp, base: _Node, expo: _Node) -> _Node:
        if expo.const is not None:
            c = expo.const
            if not abs(c) <= MAX_EXPONENT:  # also catches nan
                raise self.error(
                    f"exponent {c:.6g} is not allowed; constant exponents must be finite "
                    f"and within ±{MAX_EXPONENT:g}", node.right)
            if base.const is not None:
                return _constant(_fold(np.power, base.const, c))
            br = base.run
            return _Node(lambda x, y, t: t["pow_const"](br(x, y, t), c))
        br, er = base.run, expo.run
        if base.const is not None:
            b = base.const

            def run_const_base(x, y, t):
                e = er(x, y, t)
                return t["pow"](np.full_like(e, b), e)

            return _Node(run_const_base)
        return _Node(lambda x, y, t: t["pow"](br(x, y, t), er(x, y, t)))


def _fold(fn: Callable, *args: float) -> float:
    with np.errstate(all="ignore"):
        return float(fn(*(np.float64(a) for a in args)))


def _depth(tree: ast.AST) -> tuple[int, ast.AST]:
    """Nesting depth, not counting the left operand of a binary operator as a level
    (so flat sums and products stay shallow). Iterative: never recurses."""
    best, deepest = 0, tree
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, d = stack.pop()
        if d > best:
            best, deepest = d, node
        if isinstance(node, ast.BinOp):
            stack.append((node.left, d))
            stack.append((node.right, d + 1))
        else:
            for child in ast.iter_child_nodes(node):
                stack.append((child, d + 1))
    return best, deepest


def _paren_depth(text: str) -> tuple[int, int]:
    """Deepest bracket nesting and the index where it is reached (before parsing, so
    Python's own parser never sees absurd nesting)."""
    depth = best = where = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > best:
                best, where = depth, i
        elif ch in ")]}":
            depth -= 1
    return best, where


class Expression:
    """A parsed formula. ``value(x, y)`` (also ``expr(x, y)``), ``gradient(x, y)`` and
    ``hessian(x, y)`` broadcast over arrays; see the module docstring for the methods."""

    def __init__(self, text: str, node: _Node, variables: frozenset[str]):
        self.text = text
        self.variables = variables
        self._run = node.run

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __call__(self, x: Any, y: Any) -> np.ndarray:
        return self.value(x, y)

    def value(self, x: Any, y: Any) -> np.ndarray:
        """f(x, y) over broadcast float arrays -> array of the broadcast shape."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        with np.errstate(all="ignore"):
            z = self._run(x, y, _REAL)
        return _full(np.real(z), x.shape)

    def gradient(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """(df/dx, df/dy) by the complex step, each shaped like broadcast(x, y)."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        g = self._complex_step(x[..., None], y[..., None])
        return g[..., 0], g[..., 1]

    def _complex_step(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Gradient at points x, y (shape S) -> (S..., 2) in one complex evaluation:
        the last axis of the inputs gets the two perturbation directions."""
        shape = np.broadcast_shapes(x.shape, y.shape)
        step = np.array([1j * _H, 0j])
        xc = x + step
        yc = y + step[::-1]
        with np.errstate(all="ignore"):
            z = self._run(xc, yc, _COMPLEX)
            g = np.imag(z) / _H
        return _full(g, shape[:-1] + (2,))

    def hessian(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(f_xx, f_xy, f_yy): 4th-order central differences of the complex-step gradient."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        shape = x.shape
        with np.errstate(all="ignore"):
            dx = _pow2_step(x)
            dy = _pow2_step(y)
        k = np.array([-2.0, -1.0, 1.0, 2.0])
        w = np.array([1.0, -8.0, 8.0, -1.0]) / 12.0
        # 8 shifted points per input point: 4 along x, then 4 along y -> (..., 8, 1)
        xs = np.concatenate([x[..., None] + k * dx[..., None],
                             np.broadcast_to(x[..., None], shape + (4,))], axis=-1)
        ys = np.concatenate([np.broadcast_to(y[..., None], shape + (4,)),
                             y[..., None] + k * dy[..., None]], axis=-1)
        g = self._complex_step(xs[..., None], ys[..., None])  # (..., 8, 2)
        with np.errstate(all="ignore"):
            col_x = np.einsum("...kj,k->...j", g[..., :4, :], w) / dx[..., None]
            col_y = np.einsum("...kj,k->...j", g[..., 4:, :], w) / dy[..., None]
        return col_x[..., 0], 0.5 * (col_x[..., 1] + col_y[..., 0]), col_y[..., 1]


def _pow2_step(v: np.ndarray) -> np.ndarray:
    """δ = 2⁻¹² (≈ 2.4e-4), a power of two so that v ± δ, v ± 2δ are exact (then only the
    gradient's own rounding, ~eps/δ, competes with the δ⁴ truncation); for |v| > 2²⁸
    it grows to 2^(exponent(v) - 40) to stay above v's rounding unit."""
    big = np.where(np.isfinite(v) & (v != 0), np.abs(v), 1.0)
    return np.maximum(_DELTA, np.exp2(np.floor(np.log2(big)) - 40.0))


def _full(z: Any, shape: tuple[int, ...]) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    if z.shape == tuple(shape):
        return z
    out = np.empty(shape)
    out[...] = z
    return out


def parse(text: str) -> Expression:
    """Parse ``text`` (a formula in x and y) into an :class:`Expression`.

    Raises :class:`ExpressionError` (a ``ValueError``) naming the problem and its
    column; raises ``TypeError`` if ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    # newlines and tabs become spaces (one for one, so columns still match the input),
    # leading blanks are tolerated: eval-mode parsing would call them an indent
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    body = flat.lstrip(" ")
    pad = len(flat) - len(body)
    if not body.strip():
        raise ExpressionError("empty expression; type a function of x and y, "
                              "e.g. x**2 + 10*y**2")
    bad = next((i for i, ch in enumerate(flat) if not ch.isprintable()), None)
    if bad is not None:
        raise ExpressionError(f"unprintable character U+{ord(flat[bad]):04X} is not allowed",
                              flat, bad + 1)
    depth, where = _paren_depth(flat)
    if depth > MAX_DEPTH:
        raise ExpressionError(f"brackets nested {depth} deep; at most {MAX_DEPTH} "
                              "levels are allowed", flat, where + 1)
    try:
        with warnings.catch_warnings():
            # "1x" gives a SyntaxWarning (invalid decimal literal) on stderr; our own error
            # message for the same text is the one the user should see.
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(exc, flat, pad) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise ExpressionError(f"could not parse the expression ({type(exc).__name__})",
                              flat) from None
    compiler = _Compiler(flat)
    _shift(tree, pad)
    depth, deepest = _depth(tree.body)
    if depth > MAX_DEPTH:
        raise compiler.error(f"expression nested {depth} deep; at most {MAX_DEPTH} "
                             "levels are allowed", deepest)
    node = compiler.compile(tree.body)
    variables = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                          and n.id in VARIABLES)
    return Expression(flat.strip(), node, variables)


def _shift(tree: ast.AST, pad: int) -> None:
    if pad:
        for n in ast.walk(tree):
            if hasattr(n, "col_offset"):
                n.col_offset += pad
                if getattr(n, "end_col_offset", None) is not None:
                    n.end_col_offset += pad


def _syntax_error(exc: SyntaxError, text: str, pad: int) -> ExpressionError:
    msg = exc.msg or "invalid syntax"
    col = exc.offset
    if col is not None:
        col = min(max(int(col), 1) + pad, max(len(text), 1))
    if col is not None and col <= len(text):
        prev, ch = text[col - 2 : col - 1] if col > 1 else "", text[col - 1]
        if (prev.isdigit() or prev == ".") and (ch.isalpha() or ch == "("):
            msg += "; write multiplication explicitly, e.g. 2*x"
        elif "decimal literal" in msg:
            msg += "; write multiplication explicitly, e.g. 2*x"
    if "never closed" in msg or "was never closed" in msg or "unexpected EOF" in msg:
        msg += "; check the parentheses"
    return ExpressionError(f"syntax error: {msg}", text, col)
