"""Engine speed: microseconds per full training step (forward, backward, update).

Cases
  a  784-512-10 ReLU/softmax MLP, batch 128, float32, RMSprop (Keras' rmsprop settings)
  b  2-8-8-1 tanh/sigmoid net, batch 10, float64 (the playground's default size), with
     SGD (lr 0.03), SGD + momentum 0.9 and Adam

Implementations
  engine   model.train_step on BatchFeed batches, exactly what fit/Trainer run per step
  numpy    the obvious NumPy code, as the seed lessons write it (fresh arrays every step)
  torch    PyTorch CPU (if installed), idiomatic zero_grad/forward/backward/step; run with 1 and
           2 threads, the faster is kept
  floor    case a only: the five float32 matrix products one step needs, timed alone

NumPy-based figures are measured with OpenBLAS on 1 and on 2 threads and the faster is kept,
as for torch (on a busy 2-core machine two BLAS threads can be many times slower).

Every figure is the median over several processes (each measures its own median step time);
ratios are against the engine, measured in the same run.

    python benchmarks/bench_engine.py            # all
    python benchmarks/bench_engine.py --quick    # fewer repetitions
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------------------------
# workers: each returns the median microseconds per step measured in this process
def _time_loop(step, n_steps: int, repeats: int = 7) -> float:
    for i in range(max(3, n_steps // 10)):
        step(i)
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for i in range(n_steps):
            step(i)
        samples.append((time.perf_counter() - t) / n_steps * 1e6)
    return statistics.median(samples)


def _data(case: str):
    rng = np.random.default_rng(0)
    if case == "a":
        n, d, k = 128 * 8, 784, 10
        X = rng.random((n, d)).astype(np.float32)
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
        return X, y, 128
    X = rng.normal(size=(500, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(np.float64)
    return X, y, 10


def engine_worker(case: str, opt: str) -> float:
    import engine as eg
    from engine.model import BatchFeed

    X, y, bs = _data(case)
    L = eg.layers
    if case == "a":
        model = eg.Sequential([L.Dense(512, activation="relu"), L.Dense(10, activation="softmax")],
                              input_shape=(784,), dtype="float32")
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
        steps = 60
    else:
        model = eg.Sequential([L.Dense(8, activation="tanh"), L.Dense(8, activation="tanh"),
                               L.Dense(1, activation="sigmoid")], input_shape=(2,))
        model.compile(optimizer=_engine_opt(eg, opt), loss="binary_crossentropy")
        steps = 5000
    Xp, yp = model._prepare_x(X), model._prepare_y(y, X.shape[0])
    feed = BatchFeed(Xp, yp, augment=model._augment_input)
    nb = X.shape[0] // bs
    train_step = model.train_step

    def step(i):
        s = (i % nb) * bs
        xb, yb, xab = feed.batch(s, s + bs)
        train_step(xb, yb, xab)

    return _time_loop(step, steps)


def _engine_opt(eg, opt: str):
    return {"sgd": lambda: eg.optim.SGD(lr=0.03),
            "momentum": lambda: eg.optim.SGD(lr=0.03, momentum=0.9),
            "adam": lambda: eg.optim.Adam(lr=0.03)}[opt]()


def numpy_worker(case: str, opt: str) -> float:
    """The straightforward NumPy a course writes: new arrays everywhere, one update per tensor."""
    X, y, bs = _data(case)
    rng = np.random.default_rng(1)
    dt = X.dtype
    sizes = [784, 512, 10] if case == "a" else [2, 8, 8, 1]
    Ws = [(rng.normal(size=(a, b)) * np.sqrt(1 / a)).astype(dt) for a, b in zip(sizes, sizes[1:])]
    bs_ = [np.zeros(b, dt) for b in sizes[1:]]
    params = Ws + bs_
    state = [np.zeros_like(p) for p in params]
    state2 = [np.zeros_like(p) for p in params]
    nb = X.shape[0] // bs
    t = [0]

    def update(grads):
        t[0] += 1
        for i, (p, g) in enumerate(zip(params, grads)):
            if case == "a":  # Keras RMSprop
                state[i] = 0.9 * state[i] + 0.1 * g ** 2
                p -= 1e-3 * g / np.sqrt(state[i] + 1e-7)
            elif opt == "sgd":
                p -= 0.03 * g
            elif opt == "momentum":
                state[i] = 0.9 * state[i] + g
                p -= 0.03 * state[i]
            else:
                state[i] = 0.9 * state[i] + 0.1 * g
                state2[i] = 0.999 * state2[i] + 0.001 * g ** 2
                mhat = state[i] / (1 - 0.9 ** t[0])
                vhat = state2[i] / (1 - 0.999 ** t[0])
                p -= 0.03 * mhat / (np.sqrt(vhat) + 1e-8)

    def step_a(i):
        s = (i % nb) * bs
        xb, yb = X[s:s + bs], y[s:s + bs]
        h = np.maximum(0, xb @ Ws[0] + bs_[0])
        z = h @ Ws[1] + bs_[1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        _ = -np.sum(yb * np.log(p + 1e-7)) / bs
        dz = (p - yb) / bs
        dW2, db2 = h.T @ dz, dz.sum(axis=0)
        dh = dz @ Ws[1].T
        dh[h <= 0] = 0
        dW1, db1 = xb.T @ dh, dh.sum(axis=0)
        update([dW1, dW2, db1, db2])

    def step_b(i):
        s = (i % nb) * bs
        xb, yb = X[s:s + bs], y[s:s + bs]
        a1 = np.tanh(xb @ Ws[0] + bs_[0])
        a2 = np.tanh(a1 @ Ws[1] + bs_[1])
        p = 1 / (1 + np.exp(-(a2 @ Ws[2] + bs_[2])))
        _ = -np.mean(yb * np.log(p) + (1 - yb) * np.log(1 - p))
        dz3 = (p - yb) / bs
        dz2 = (dz3 @ Ws[2].T) * (1 - a2 ** 2)
        dz1 = (dz2 @ Ws[1].T) * (1 - a1 ** 2)
        update([xb.T @ dz1, a1.T @ dz2, a2.T @ dz3, dz1.sum(0), dz2.sum(0), dz3.sum(0)])

    return _time_loop(step_a if case == "a" else step_b, 60 if case == "a" else 5000)


def floor_worker(case: str, opt: str) -> float:
    """The five float32 GEMMs of one step of case a, into preallocated outputs."""
    rng = np.random.default_rng(0)
    f = np.float32
    X = rng.random((128, 784)).astype(f)
    W1, W2 = rng.random((784, 512)).astype(f), rng.random((512, 10)).astype(f)
    h, z = np.empty((128, 512), f), np.empty((128, 10), f)
    dW1, dW2, dh = np.empty((784, 512), f), np.empty((512, 10), f), np.empty((128, 512), f)

    def step(i):
        np.dot(X, W1, out=h)
        np.dot(h, W2, out=z)
        np.dot(h.T, z, out=dW2)
        np.dot(z, W2.T, out=dh)
        np.dot(X.T, dh, out=dW1)

    return _time_loop(step, 60)


def torch_worker(case: str, opt: str, threads: int) -> float:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    X, y, bs = _data(case)
    if case == "a":
        net = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                  torch.nn.Linear(512, 10))
        optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        lossf = torch.nn.CrossEntropyLoss()
        Xt = torch.from_numpy(X)
        yt = torch.from_numpy(np.argmax(y, axis=1))
        steps = 60
    else:
        net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                  torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
        optimizer = {"sgd": lambda: torch.optim.SGD(net.parameters(), lr=0.03),
                     "momentum": lambda: torch.optim.SGD(net.parameters(), lr=0.03, momentum=0.9),
                     "adam": lambda: torch.optim.Adam(net.parameters(), lr=0.03)}[opt]()
        lossf = torch.nn.BCEWithLogitsLoss()
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        steps = 3000
    nb = X.shape[0] // bs

    def step(i):
        s = (i % nb) * bs
        optimizer.zero_grad()
        loss = lossf(net(Xt[s:s + bs]), yt[s:s + bs])
        loss.backward()
        optimizer.step()
        loss.item()

    return _time_loop(step, steps)


# --------------------------------------------------------------------------------------------
def _spawn(args: list[str], blas_threads: int | None = None) -> float | None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if blas_threads is not None:  # read by OpenBLAS when numpy loads
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(blas_threads)
    out = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                         text=True, env=env)
    if out.returncode != 0:
        print(f"  worker {args} failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs="+")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--case", choices=["a", "b"], help="only this case")
    ns = ap.parse_args()
    if ns.worker:
        impl, case, opt, *rest = ns.worker
        fn = {"engine": engine_worker, "numpy": numpy_worker, "floor": floor_worker}.get(impl)
        us = torch_worker(case, opt, int(rest[0])) if impl == "torch" else fn(case, opt)
        print(json.dumps(us))
        return
    procs = 3 if ns.quick else 5
    torch_ok = have_torch()
    print(f"numpy {np.__version__}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}; "
          f"torch {'installed' if torch_ok else 'not installed'}; {procs} processes per figure")
    rows = [("a", "rmsprop", "(a) 784-512-10 relu/softmax, batch 128, float32, RMSprop")]
    rows += [("b", o, f"(b) 2-8-8-1 tanh, batch 10, float64, {label}")
             for o, label in (("sgd", "SGD"), ("momentum", "SGD+momentum"), ("adam", "Adam"))]
    if ns.case:
        rows = [r for r in rows if r[0] == ns.case]
    results = {}
    for case, opt, title in rows:
        # Interleave the processes (engine, numpy, floor, torch, engine, ...) so that load
        # from elsewhere on the machine falls on all of them alike.
        impls = ["engine", "numpy"] + (["floor"] if case == "a" else [])
        configs = [(impl, ["impl", case, opt], t) for impl in impls for t in (1, 2)]
        if torch_ok:
            configs += [("torch", ["torch", case, opt, str(t)], None) for t in (1, 2)]
        samples: dict[tuple[str, int | None, str], list[float]] = {}
        for _ in range(procs):
            for impl, args, threads in configs:
                argv = [impl if a == "impl" else a for a in args]
                us = _spawn(argv, threads)
                if us is not None:
                    samples.setdefault((impl, threads, argv[-1]), []).append(us)
        r = {}
        for impl in impls + (["torch"] if torch_ok else []):
            best = min(((statistics.median(v), key) for key, v in samples.items()
                        if key[0] == impl), default=(None, None))
            r[impl] = best[0]
            if best[1] is not None:
                r[impl + "_threads"] = best[1][1] if impl != "torch" else int(best[1][2])
        results[title] = r
        eng = r["engine"]
        print(f"\n{title}")
        print(f"  engine ({r['engine_threads']} BLAS thr) {eng:10.1f} us/step")
        print(f"  plain numpy ({r['numpy_threads']})    {r['numpy']:10.1f} us/step   "
              f"engine/numpy = {eng / r['numpy']:.2f}")
        if "floor" in r:
            print(f"  GEMM floor ({r['floor_threads']})     {r['floor']:10.1f} us/step   "
                  f"engine/floor = {eng / r['floor']:.2f}")
        if r.get("torch") is not None:
            print(f"  torch ({r['torch_threads']} thread{'s' if r['torch_threads'] > 1 else ''})"
                  f"    {r['torch']:10.1f} us/step   engine/torch = {eng / r['torch']:.3f}")
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()
