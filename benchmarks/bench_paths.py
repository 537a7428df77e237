"""Optimizer-path speed: paths, surface grids, the learning-rate sweep, scipy, theory.

Budgets (from the issue): ``paths.descend`` of 1,000 steps on Rosenbrock well under
50 ms; a 200x200 surface grid in one vectorised call. Each figure is the median of
``--repeat`` runs in this process; "x budget" is the share of the 50 ms budget, and
"overhead" compares descend() with the bare loop ``grad -> opt.step`` (no recording).

    python benchmarks/bench_paths.py            # all
    python benchmarks/bench_paths.py --quick    # fewer repetitions

Note: scipy's L-BFGS-B calls BLAS on tiny vectors; with OpenBLAS' default threads on a
busy machine that costs ~1 ms per iteration. ``OPENBLAS_NUM_THREADS=1`` removes it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import optim, paths, surfaces, theory  # noqa: E402

BUDGET_MS = 50.0


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: allocations, imports, caches
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def bare_loop(surface: surfaces.Surface, opt, steps: int) -> np.ndarray:
    """The floor: the same gradient hook and update as descend(), nothing recorded."""
    opt.reset()
    p = surface.start.copy()
    g = np.empty(2)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g[0], g[1] = surface._g(p[0], p[1])
            opt.step(p, g)
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 repetitions instead of 11")
    args = ap.parse_args()
    rep = 3 if args.quick else 11
    rosen = surfaces.get("rosenbrock")

    print(f"descend, 1,000 steps on Rosenbrock (median of {rep}; budget {BUDGET_MS:.0f} ms)")
    print(f"  {'optimizer':<28}{'descend':>10}{'x budget':>10}{'bare loop':>11}{'overhead':>10}")
    for label, opt in [
        ("SGD(lr=1e-3)", optim.SGD(lr=1e-3)),
        ("SGD(lr=2e-3, momentum=0.9)", optim.SGD(lr=2e-3, momentum=0.9)),
        ("RMSprop(lr=1e-3)", optim.RMSprop(lr=1e-3)),
        ("Adam(lr=0.02)", optim.Adam(lr=0.02)),
        ("NAdam(lr=0.02)", optim.NAdam(lr=0.02)),
    ]:
        t = median_ms(lambda opt=opt: paths.descend(rosen, opt, steps=1000), rep)
        b = median_ms(lambda opt=opt: bare_loop(rosen, opt, 1000), rep)
        print(f"  {label:<28}{t:>8.2f} ms{t / BUDGET_MS:>10.2f}{b:>8.2f} ms{t / b:>9.2f}x")
    expr = surfaces.from_expression("(1 - x)**2 + 100*(y - x**2)**2")
    t = median_ms(lambda: paths.descend(expr, optim.Adam(lr=0.02), steps=1000), rep)
    print(f"  {'Adam on the typed formula':<28}{t:>8.2f} ms{t / BUDGET_MS:>10.2f}"
          "   (complex-step gradient per step)")
    t = median_ms(lambda: paths.newton(rosen, steps=1000, bound=None), rep)
    print(f"  {'damped Newton, 1,000 steps':<28}{t:>8.2f} ms{t / BUDGET_MS:>10.2f}")
    for method in ("L-BFGS-B", "BFGS", "Nelder-Mead"):
        t = median_ms(lambda m=method: paths.minimize_full(rosen, m, maxiter=1000), rep)
        k = paths.minimize_full(rosen, method, maxiter=1000).n_steps
        print(f"  {'scipy ' + method:<28}{t:>8.2f} ms{t / BUDGET_MS:>10.2f}   ({k} iterations)")

    code = ("import time, scipy.optimize as so; from engine import surfaces as S; "
            "s = S.get('rosenbrock'); f = lambda: so.minimize(s.fun_and_grad, s.start, "
            "jac=True, method='L-BFGS-B'); f(); ts = []\n"
            f"for _ in range({rep}): t = time.perf_counter(); f(); "
            "ts.append(time.perf_counter() - t)\n"
            "print(1e3 * sorted(ts)[len(ts) // 2])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, check=False)
    if out.returncode == 0:
        t = float(out.stdout.strip())
        print(f"  {'L-BFGS-B, 1 BLAS thread':<28}{t:>8.2f} ms{t / BUDGET_MS:>10.2f}"
              "   (OPENBLAS_NUM_THREADS=1, bare scipy)")

    print(f"\n200x200 grid, one vectorised call (median of {rep})")
    for name in surfaces.names():
        s = surfaces.get(name)
        t = median_ms(lambda s=s: s.grid(200), rep)
        print(f"  {name:<28}{t:>8.2f} ms")
    for text in ("(1 - x)**2 + 100*(y - x**2)**2", "sin(x)*cos(y) + 0.1*(x**2 + y**2)"):
        s = surfaces.from_expression(text)
        t = median_ms(lambda s=s: s.grid(200), rep)
        tg = median_ms(lambda s=s: s.grad(np.stack(np.meshgrid(*s.grid(200)[:2]), -1)), rep)
        print(f"  {text:<40}{t:>8.2f} ms  (gradient on the grid: {tg:.2f} ms)")

    print(f"\nlr_sweep: 30 rates x 300 steps on Rosenbrock (median of {rep})")
    lrs = np.geomspace(1e-5, 1.0, 30)
    for label, make in [("Adam", lambda lr: optim.Adam(lr=lr)),
                        ("SGD momentum 0.9", lambda lr: optim.SGD(lr=lr, momentum=0.9))]:
        loop = median_ms(lambda m=make: paths.lr_sweep(rosen, m, lrs, steps=300), rep)
        batched = median_ms(
            lambda m=make: paths.lr_sweep(rosen, m, lrs, steps=300, method="batched"), rep)
        print(f"  {label:<20} loop {loop:8.2f} ms   batched {batched:7.2f} ms   "
              f"loop/batched {loop / batched:5.1f}x")

    print(f"\ntheory.rate_map on a 400x400 (alpha, beta) grid (median of {rep})")
    a, b = np.linspace(0, 4, 400), np.linspace(0, 0.999, 400)
    t = median_ms(lambda: theory.rate_map([0.01, 1.0], a, b), rep)
    print(f"  {t:.2f} ms")


if __name__ == "__main__":
    main()
