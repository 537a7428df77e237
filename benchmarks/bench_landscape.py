"""Speed of engine.landscape.grid against the naive loop, and of the sharpness computation.

Two cases from the issue, each timed as the median of a few runs, beside the naive loop (one
forward pass and loss evaluation per grid point, with prepared arrays) measured in the same
run; the largest difference between the two grids is printed too (it must be ~1e-14):

- the playground default net: 2-8-8-1 tanh, sigmoid output, binary cross-entropy, 500 spiral
  points, 51×51 grid (target < 0.5 s);
- 784-128-10 relu/softmax, categorical cross-entropy, 1,000 random MNIST-shaped samples,
  25×25 grid (target < 10 s);

then top_eigenvalues(k=1) (sharpness) of the default net.

    python benchmarks/bench_landscape.py [--repeats 5]   (the big net's loop runs r//2+1 times)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine as eg  # noqa: E402
from engine import curvature, landscape  # noqa: E402
from engine.datasets import make  # noqa: E402

L = eg.layers


def median_time(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def interleaved(fns: dict, repeats: int) -> dict:
    """Median wall and CPU time of each function, run in turn so all see the same load."""
    wall: dict = {k: [] for k in fns}
    cpu: dict = {k: [] for k in fns}
    out: dict = {}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            out[k] = fn()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    return {k: (statistics.median(wall[k]), statistics.median(cpu[k]), out[k]) for k in fns}


def naive_grid(model, X, y, center, d1, d2, axis) -> np.ndarray:
    """One model evaluation per grid point: what the vectorised grid replaces."""
    Xp, yp = model._prepare_x(X), model._prepare_y(y, X.shape[0])
    saved = model.params.copy()
    Z = np.empty((axis.size, axis.size))
    for i, b in enumerate(axis):
        for j, a in enumerate(axis):
            model.set_params(center + a * d1 + b * d2)
            Z[i, j] = model._evaluate_prepared(Xp, yp)["loss"]
    model.set_params(saved)
    return Z


def default_case():
    ds = make("spiral", n_samples=500, noise=0.1, seed=0)
    m = eg.Sequential([L.Dense(8, activation="tanh"), L.Dense(8, activation="tanh"),
                       L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=0)
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return m, ds.X, ds.y


def mnist_case():
    rng = np.random.default_rng(0)
    X = rng.random((1000, 784))
    y = np.eye(10)[rng.integers(0, 10, 1000)]
    m = eg.Sequential([L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                      input_shape=(784,), seed=0)
    m.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    return m, X, y


def bench_grid(label, model, X, y, resolution, target, repeats) -> bool:
    d1, d2 = landscape.random_directions(model, seed=0)
    c = model.params.copy()
    axis = np.linspace(-1.0, 1.0, resolution)
    r = interleaved({
        "grid": lambda: landscape.grid(model, X, y, c, d1, d2, resolution=resolution),
        "naive": lambda: naive_grid(model, X, y, c, d1, d2, axis)}, repeats)
    (t_vec, c_vec, surf), (t_naive, c_naive, Z) = r["grid"], r["naive"]
    err = float(np.abs(surf.loss - Z).max())
    ok = t_vec < target
    print(f"{label}, {resolution}x{resolution} grid\n"
          f"    vectorised {t_vec:7.3f} s (CPU {c_vec:6.3f} s)   naive loop {t_naive:7.3f} s "
          f"(CPU {c_naive:6.3f} s)   speed-up {t_naive / t_vec:5.1f}x wall, "
          f"{c_naive / c_vec:5.1f}x CPU   max|diff| {err:.1e}   "
          f"target < {target:g} s: {'ok' if ok else 'MISSED'}")
    return ok and err < 1e-10


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs per median (default 5)")
    args = ap.parse_args()
    r = max(1, args.repeats)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average {load:.2f}; medians "
          f"of {r} interleaved runs (CPU = process time, all threads)")
    ok = bench_grid("default 2-8-8-1 tanh/sigmoid, BCE, 500 spiral points", *default_case(),
                    51, 0.5, r)
    ok &= bench_grid("784-128-10 relu/softmax, CCE, 1000 random samples", *mnist_case(), 25,
                     10.0, max(1, r // 2 + 1))

    m, X, y = default_case()
    for method in ("auto", "lanczos", "dense"):
        t, w = median_time(lambda method=method: curvature.top_eigenvalues(m, X, y, k=1,
                                                                          method=method), r)
        print(f"top_eigenvalues(k=1, method={method!r:<9}) default net: {t * 1e3:7.2f} ms  "
              f"λ_max = {w[0]:.6f}")
    op = curvature.hessian_operator(m, X, y)
    v = np.random.default_rng(0).standard_normal(m.n_params)
    t, _ = median_time(lambda: op.matvec(v), 50)
    print(f"one Hessian-vector product (R-operator), default net: {t * 1e3:.3f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
