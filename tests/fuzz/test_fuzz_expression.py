"""Hostile formulas for the expression parser (``eg.surfaces.from_expression``).

Whatever the text: the parser returns a surface or raises ``ExpressionError`` (a
``ValueError`` with a message), within a time bound, without running code, opening files
or starting processes; and it accepts only the grammar's node types and names, so any text
it accepts evaluates (values, gradients, Hessians) without an exception or a warning.
"""

from __future__ import annotations

import ast
import os
import subprocess
import warnings
from unittest import mock

import numpy as np
import pytest
from fuzz_guards import time_bound, watch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine as eg
from engine import expression
from engine.expression import ExpressionError

BOUND = 5.0  # seconds: a hang guard, far above the parser's few milliseconds
FUZZ = settings(max_examples=150, deadline=2000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call,
                 ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.UAdd, ast.USub)
ALLOWED_NAMES = set(expression.VARIABLES) | set(expression.CONSTANTS) | set(expression.FUNCTIONS)

# Pieces of Python that reach for the interpreter, the file system or the process.
HOSTILE_TOKENS = [
    "__import__", "('os')", ".system", "('id')", "__class__", "__bases__", "__subclasses__()",
    "__globals__", "__builtins__", "__dict__", "__code__", "__reduce__", "lambda", ":",
    "eval", "exec", "open", "compile", "getattr", "globals()", "locals()", "breakpoint()",
    "input()", "print", "os", "sys", "np", "numpy", "x.real", "[0]", "[]", "{}", "()", "(",
    ")", ",", "for", "in", "if", "else", "not", "and", "or", "is", "await", "yield", ":=",
    "f'{x}'", "'/etc/passwd'", "b''", "...", "*", "**", "@", "%", "//", "^", "~", "<<", ">>",
    "==", "<", "!", ";", "\\", "#", "\n", " ", "x", "y", "sin", "exp", "log", "1", "2.5",
    "1e308", "1e309", "9", "pi", "e", "+", "-", "/", "sin(", "sqrt(", "x**",
]
hostile = st.lists(st.sampled_from(HOSTILE_TOKENS), min_size=1, max_size=25).map("".join)
junk = st.one_of(st.text(max_size=120),
                 st.text(alphabet=st.characters(codec="ascii"), max_size=120),
                 st.binary(max_size=80).map(lambda b: b.decode("latin-1")))

PAYLOADS = [
    "__import__('os').system('touch /tmp/pwned')",
    "exec('import os')",
    "eval('1+1')",
    "open('/etc/passwd').read()",
    "x.__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "globals()['__builtins__']",
    "sin.__globals__",
    "getattr(x, 'real')",
    "x if __import__('os') else y",
    "f'{__import__(\"os\").system(\"id\")}'",
    "breakpoint()",
    "sin(x).__class__",
    "np.sin(x)",
    "(x := __import__('subprocess'))",
    "__builtins__",
    "x; import os",
    "x\nimport os",
    "9**9**9**9",
    "(" * 100_000 + "x" + ")" * 100_000,
    "-" * 100_000 + "x",
    "x" + "+x" * 100_000,
    "1" * 100_000,
]


def _only_grammar(text: str) -> None:
    """Accepted text parses, as Python, into the whitelisted nodes and names only."""
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ").strip()
    for node in ast.walk(ast.parse(flat, mode="eval")):
        assert isinstance(node, ALLOWED_NODES), f"{type(node).__name__} accepted in {text!r}"
        if isinstance(node, ast.Name):
            assert node.id in ALLOWED_NAMES, f"name {node.id!r} accepted in {text!r}"
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in expression.FUNCTIONS


def _evaluate(surface) -> None:
    pts = np.array([[-1.5, 0.3], [0.0, 0.0], [2.0, -3.0], [1e6, -1e-6]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = surface.f(pts[:, 0], pts[:, 1])
        surface.grad(pts[0])
        surface.hessian(pts[1])
    assert np.asarray(z).shape == (4,)


def parse_or_refuse(text: str):
    """The one contract: a surface, or ExpressionError with a message; nothing else."""
    with watch(), time_bound(BOUND, f"from_expression({text[:40]!r})"):
        try:
            surface = eg.surfaces.from_expression(text)
        except ExpressionError as err:
            assert isinstance(err, ValueError) and str(err).strip()
            return None
        _evaluate(surface)
    _only_grammar(text)
    return surface


@FUZZ
@given(junk)
def test_any_text_gives_a_surface_or_an_expression_error(text):
    parse_or_refuse(text)


@FUZZ
@given(hostile)
def test_python_reaching_for_the_interpreter_is_refused(text):
    parse_or_refuse(text)


@pytest.mark.parametrize("text", PAYLOADS, ids=[p[:30] for p in PAYLOADS])
def test_known_payloads_are_refused_with_a_message(text):
    ran = []
    with mock.patch.object(os, "system", lambda *a: ran.append(a)), \
            mock.patch.object(subprocess, "Popen", lambda *a, **k: ran.append(a)):
        assert parse_or_refuse(text) is None, f"accepted: {text[:60]!r}"
    assert not ran


def test_refusals_name_what_was_wrong():
    cases = {"__import__('os')": "unknown function '__import__'",
             "x.real": "attribute", "(lambda: 1)()": "lambda",
             "x" * 600: "at most 500", "open('f')": "unknown function 'open'"}
    for text, words in cases.items():
        with pytest.raises(ExpressionError, match=words):
            eg.surfaces.from_expression(text)


def test_non_strings_raise_type_error_not_something_else():
    for bad in (None, 3, b"x", ["x"]):
        with pytest.raises(TypeError, match="must be a string"):
            expression.parse(bad)
