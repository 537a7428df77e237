"""House rules that keep the architecture honest, checked on every run."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE_ALLOWED = {"numpy", "scipy", "engine", "__future__"}
# Optional extras the engine may import lazily, inside the one function that needs them
# (e.g. scikit-learn ships the 8x8 digits): `import engine` never loads them.
ENGINE_LAZY_EXTRAS = {"sklearn"}


def _names(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {node.module.split(".")[0]}
    return set()


def imported_modules(path: Path, *, in_functions: bool = True) -> set[str]:
    """Top-level packages imported anywhere in ``path`` (or outside functions only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mods: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        mods |= _names(node)
        for child in ast.iter_child_nodes(node):
            if in_functions or not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stack.append(child)
    return mods


@pytest.mark.parametrize("path", sorted((ROOT / "engine").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_imports_only_numpy_scipy_and_the_standard_library(path):
    third_party = {m for m in imported_modules(path, in_functions=False)
                   if m not in sys.stdlib_module_names and m not in ENGINE_ALLOWED}
    assert not third_party, f"{path.name} imports {sorted(third_party)} at module level"
    lazy = {m for m in imported_modules(path)
            if m not in sys.stdlib_module_names and m not in ENGINE_ALLOWED}
    assert lazy <= ENGINE_LAZY_EXTRAS, f"{path.name} imports {sorted(lazy - ENGINE_LAZY_EXTRAS)}"


def test_charts_never_import_streamlit():
    charts = ROOT / "playground" / "charts.py"
    if charts.exists():
        assert "streamlit" not in imported_modules(charts)


def test_no_eval_or_exec_in_shipped_code():
    for path in list((ROOT / "engine").rglob("*.py")) + list((ROOT / "playground").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec"), f"{path}: {node.func.id}()"


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install -r requirements-dev.txt"
    out = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr
