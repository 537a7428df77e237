"""Conv2D speed and layer agreement with PyTorch.

Speed: forward + backward (dW, db and dx) of one Conv2D layer, float32, best of repeats:

    A  (128, 8, 8, 1)   -> 16 filters 3×3, "valid"
    B  (32, 28, 28, 1)  -> 32 filters 3×3, "valid"

    engine  Conv2D.forward + Conv2D.backward (im2col by sliding_window_view + GEMM)
    naive   the same maths with Python loops over output pixels (each pixel a small GEMM over
            batch × window), as a first implementation would write it
    torch   torch.nn.functional.conv2d + autograd backward on CPU (NCHW; layout conversions
            not timed), when torch is installed

Agreement (float64, when torch is installed): forward outputs of Conv2D (strides, "same"),
MaxPool2D, AvgPool2D, BatchNormalization, SimpleRNN, LSTM, Embedding and SelfAttention,
and the parameter/input gradients of Conv2D, LSTM and SelfAttention, against torch given the
same weights. Exits 1 if any difference exceeds 1e-9.

    python benchmarks/bench_layers.py            # all
    python benchmarks/bench_layers.py --quick    # fewer repetitions
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_layers.py   # one thread (torch follows)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine as eg  # noqa: E402
from engine.layers.attention import SelfAttention  # noqa: E402
from engine.layers.conv import Conv2D  # noqa: E402
from engine.layers.embedding import Embedding  # noqa: E402
from engine.layers.normalization import BatchNormalization  # noqa: E402
from engine.layers.pool import AvgPool2D, MaxPool2D  # noqa: E402
from engine.layers.recurrent import LSTM, SimpleRNN  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the comparison is optional
    torch = None

# One thread count for both libraries when BLAS is pinned, so the ratio compares like with like.
_THREADS = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
if torch is not None and _THREADS and _THREADS.isdigit():
    torch.set_num_threads(int(_THREADS))

TOLERANCE = 1e-9
CASES = {"A": ((128, 8, 8, 1), 16, 3), "B": ((32, 28, 28, 1), 32, 3)}


def best_ms(fn, repeats: int, number: int = 5) -> float:
    """The fastest of ``repeats`` timings of ``number`` calls, in ms per call.

    The minimum, not the median: on a shared 2-core machine other processes only ever add
    time (and make multithreaded BLAS stall), so the fastest run is the best estimate.
    """
    fn()  # warm-up: allocations, BLAS thread start
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t) * 1e3 / number)
    return min(samples)


def built(layer, input_shape, dtype="float64", seed=0):
    """The layer inside a one-layer model (so its parameters are bound), dx switched on."""
    eg.Sequential([layer], input_shape=input_shape, seed=seed, dtype=dtype)
    layer.input_grad = True
    return layer


# ------------------------------------------------------------------------------------ speed
def naive_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray, dy: np.ndarray | None = None):
    """Valid, stride 1. Forward y, or with dy the gradients (dx, dW, db), looping over pixels."""
    n, h, w, _ = x.shape
    kh, kw, c, f = W.shape
    ho, wo = h - kh + 1, w - kw + 1
    W2 = W.reshape(-1, f)
    if dy is None:
        y = np.empty((n, ho, wo, f), x.dtype)
        for i in range(ho):
            for j in range(wo):
                y[:, i, j, :] = x[:, i:i + kh, j:j + kw, :].reshape(n, -1) @ W2 + b
        return y
    dx, dW = np.zeros_like(x), np.zeros_like(W2)
    for i in range(ho):
        for j in range(wo):
            patch = x[:, i:i + kh, j:j + kw, :].reshape(n, -1)
            dW += patch.T @ dy[:, i, j, :]
            dx[:, i:i + kh, j:j + kw, :] += (dy[:, i, j, :] @ W2.T).reshape(n, kh, kw, c)
    return dx, dW.reshape(W.shape), dy.sum(axis=(0, 1, 2))


def speed(repeats: int) -> None:
    print("Conv2D forward + backward (dW, db, dx), float32, best of repeats, ms per call")
    header = f"{'case':<34}{'engine':>9}{'naive':>9}{'torch':>9}{'naive/eng':>11}{'eng/torch':>11}"
    print(header)
    for label, (shape, filters, k) in CASES.items():
        rng = np.random.default_rng(0)
        x = rng.normal(size=shape).astype(np.float32)
        layer = built(Conv2D(filters, k), shape[1:], dtype="float32")
        dy = rng.normal(size=(shape[0], *layer.output_shape)).astype(np.float32)

        def engine_step(layer=layer, x=x, dy=dy):
            layer.forward(x, True)
            layer.backward(dy)

        W, b = layer.W.copy(), layer.b.copy()

        def naive_step(x=x, W=W, b=b, dy=dy):
            naive_conv(x, W, b)
            naive_conv(x, W, b, dy)

        t_eng = best_ms(engine_step, repeats)
        t_naive = best_ms(naive_step, max(3, repeats // 3), number=1)
        t_torch = float("nan")
        if torch is not None:
            xt = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
            wt = torch.tensor(W.transpose(3, 2, 0, 1).copy(), requires_grad=True)
            bt = torch.tensor(b, requires_grad=True)
            dyt = torch.tensor(dy.transpose(0, 3, 1, 2).copy())

            def torch_step(xt=xt, wt=wt, bt=bt, dyt=dyt):
                for p in (xt, wt, bt):
                    p.grad = None
                F.conv2d(xt, wt, bt).backward(dyt)

            t_torch = best_ms(torch_step, repeats)
        name = f"{label} {shape} -> {filters} {k}x{k}"
        print(f"{name:<34}{t_eng:>9.2f}{t_naive:>9.2f}{t_torch:>9.2f}"
              f"{t_naive / t_eng:>10.1f}x{t_eng / t_torch:>10.2f}x")
    if torch is not None:
        print(f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")


# -------------------------------------------------------------------------------- agreement
def t64(a: np.ndarray):
    return torch.tensor(np.ascontiguousarray(a), dtype=torch.float64)


def nchw(a: np.ndarray):
    return t64(a.transpose(0, 3, 1, 2))


def nhwc(t) -> np.ndarray:
    return t.detach().numpy().transpose(0, 2, 3, 1)


def same_pads(layer) -> tuple[int, int, int, int]:
    top, bottom, left, right = layer.pads
    return (left, right, top, bottom)  # F.pad order: last axis first


def diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def agreement() -> list[tuple[str, float]]:
    rng = np.random.default_rng(1)
    out: list[tuple[str, float]] = []

    # Conv2D: TF "same" (asymmetric) padding with stride 2, and "valid" with unequal strides
    # and 6 input channels (the other im2col layout); forward and all gradients.
    for shape, kernel, strides, padding in (((3, 7, 6, 2), (3, 2), 2, "same"),
                                            ((2, 6, 7, 6), (2, 3), (1, 2), "valid")):
        x = rng.normal(size=shape)
        conv = built(Conv2D(4, kernel, strides=strides, padding=padding), x.shape[1:])
        conv.b[:] = rng.normal(size=4)
        y = conv.forward(x, True)
        dy = rng.normal(size=y.shape)
        dx = conv.backward(dy)
        xt = nchw(x).requires_grad_(True)
        wt = t64(conv.W.transpose(3, 2, 0, 1)).requires_grad_(True)
        bt = t64(conv.b).requires_grad_(True)
        yt = F.conv2d(F.pad(xt, same_pads(conv)), wt, bt, stride=strides)
        yt.backward(nchw(dy))
        tag = f"Conv2D {padding} c={shape[3]}"
        out += [(f"{tag} forward", diff(y, nhwc(yt))),
                (f"{tag} dx", diff(dx, nhwc(xt.grad))),
                (f"{tag} dW", diff(conv.dW, wt.grad.numpy().transpose(2, 3, 1, 0))),
                (f"{tag} db", diff(conv.db, bt.grad.numpy()))]

    # Pools, "same" with stride 2 on odd sizes: max pads −∞, average excludes the padding
    x = rng.normal(size=(2, 7, 5, 3))
    mp = built(MaxPool2D(3, strides=2, padding="same"), x.shape[1:])
    ref = F.max_pool2d(F.pad(nchw(x), same_pads(mp), value=-np.inf), 3, stride=2)
    out.append(("MaxPool2D same forward", diff(mp.forward(x), nhwc(ref))))
    ap = built(AvgPool2D(3, strides=2, padding="same"), x.shape[1:])
    s = F.avg_pool2d(F.pad(nchw(x), same_pads(ap)), 3, stride=2, divisor_override=1)
    c = F.avg_pool2d(F.pad(torch.ones(1, 1, 7, 5, dtype=torch.float64), same_pads(ap)), 3,
                     stride=2, divisor_override=1)
    out.append(("AvgPool2D same forward", diff(ap.forward(x), nhwc(s / c))))

    # BatchNormalization in training mode over (n, h, w, c)
    x = rng.normal(size=(4, 3, 3, 5))
    bn = built(BatchNormalization(), x.shape[1:])
    bn.gamma[:], bn.beta[:] = rng.normal(size=5), rng.normal(size=5)
    ref = F.batch_norm(nchw(x), None, None, t64(bn.gamma), t64(bn.beta), training=True,
                       eps=bn.epsilon)
    out.append(("BatchNormalization forward", diff(bn.forward(x, True), nhwc(ref))))

    # SimpleRNN and LSTM (torch's gate order i, f, g, o is Keras' i, f, c, o)
    x = rng.normal(size=(3, 5, 4))
    for cls, mod in ((SimpleRNN, torch.nn.RNN), (LSTM, torch.nn.LSTM)):
        layer = built(cls(6, return_sequences=True), x.shape[1:])
        layer.b[:] = rng.normal(size=layer.b.shape)
        net = mod(4, 6, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            net.weight_ih_l0.copy_(t64(layer.W.T))
            net.weight_hh_l0.copy_(t64(layer.U.T))
            net.bias_ih_l0.copy_(t64(layer.b))
            net.bias_hh_l0.zero_()
        y = layer.forward(x, True)
        xt = t64(x).requires_grad_(True)
        yt, _ = net(xt)
        out.append((f"{cls.__name__} forward", diff(y, yt.detach().numpy())))
        if cls is LSTM:
            dy = rng.normal(size=y.shape)
            dx = layer.backward(dy)
            yt.backward(t64(dy))
            out += [("LSTM dx", diff(dx, xt.grad.numpy())),
                    ("LSTM dW", diff(layer.dW, net.weight_ih_l0.grad.numpy().T)),
                    ("LSTM dU", diff(layer.dU, net.weight_hh_l0.grad.numpy().T)),
                    ("LSTM db", diff(layer.db, net.bias_ih_l0.grad.numpy()))]

    # Embedding
    ids = rng.integers(0, 7, (3, 4))
    emb = built(Embedding(7, 3), ids.shape[1:])
    out.append(("Embedding forward", diff(emb.forward(ids), F.embedding(
        torch.tensor(ids), t64(emb.E)).numpy())))

    # SelfAttention, causal, against torch's scaled_dot_product_attention
    x = rng.normal(size=(2, 5, 4))
    att = built(SelfAttention(3, causal=True, output_units=4), x.shape[1:])
    for p in ("bq", "bv", "bo"):
        getattr(att, p)[:] = rng.normal(size=getattr(att, p).shape)
    y = att.forward(x, True)
    dy = rng.normal(size=y.shape)
    dx = att.backward(dy)
    params = {p: t64(getattr(att, p)).requires_grad_(True)
              for p in ("Wq", "bq", "Wk", "Wv", "bv", "Wo", "bo")}
    xt = t64(x).requires_grad_(True)
    q = xt @ params["Wq"] + params["bq"]
    k = xt @ params["Wk"]
    v = xt @ params["Wv"] + params["bv"]
    yt = F.scaled_dot_product_attention(q, k, v, is_causal=True) @ params["Wo"] + params["bo"]
    yt.backward(t64(dy))
    out += [("SelfAttention causal forward", diff(y, yt.detach().numpy())),
            ("SelfAttention dx", diff(dx, xt.grad.numpy()))]
    out += [(f"SelfAttention d{p}", diff(getattr(att, "d" + p), t.grad.numpy()))
            for p, t in params.items()]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    speed(repeats=5 if args.quick else 21)
    if torch is None:
        print("torch is not installed: agreement checks skipped")
        return 0
    print(f"\nAgreement with torch (float64, max |difference|, tolerance {TOLERANCE:g})")
    worst = 0.0
    for name, err in agreement():
        worst = max(worst, err)
        print(f"  {name:<32}{err:10.2e}{'' if err <= TOLERANCE else '  FAIL'}")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
