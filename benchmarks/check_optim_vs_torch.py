"""Check engine.optim against torch.optim, step for step, in float64.

Every optimizer and option runs 50 steps from the same start with the same gradient
sequence in both libraries; the script prints the largest absolute difference of the
parameters (over all steps) and of the final state arrays (same names as PyTorch's),
and exits 1 if any exceeds 1e-10. Without torch it says so and exits 0.

    python benchmarks/check_optim_vs_torch.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import optim  # noqa: E402
from engine.optim import schedules  # noqa: E402

TOLERANCE = 1e-10
STEPS = 50
N = 7

# (label, optimizer class name, keyword arguments shared by both libraries, extras)
# extras: "schedule" (an engine schedule; the torch scheduler is built to match) and
# "clip" (global-norm clipping, applied to the torch gradient by hand with the exact
# scale c/‖g‖, since torch's clip_grad_norm_ divides by ‖g‖ + 1e-6).
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("SGD", "SGD", {"lr": 0.05}, {}),
    ("SGD momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, {}),
    ("SGD momentum+dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, {}),
    ("SGD nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {}),
    ("SGD weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}, {}),
    ("Adagrad", "Adagrad", {"lr": 0.1}, {}),
    ("Adagrad lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}, {}),
    ("Adagrad init_acc+wd", "Adagrad",
     {"lr": 0.1, "initial_accumulator_value": 0.1, "weight_decay": 0.05}, {}),
    ("RMSprop", "RMSprop", {"lr": 0.01}, {}),
    ("RMSprop centered", "RMSprop", {"lr": 0.01, "centered": True}, {}),
    ("RMSprop momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}, {}),
    ("RMSprop centered+momentum+wd", "RMSprop",
     {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.1}, {}),
    ("Adam", "Adam", {"lr": 0.01}, {}),
    ("Adam weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}, {}),
    ("Adam amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}, {}),
    ("Adam betas+eps", "Adam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3}, {}),
    ("AdamW", "AdamW", {"lr": 0.01}, {}),
    ("AdamW wd+amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, {}),
    ("Adadelta", "Adadelta", {}, {}),
    ("Adadelta lr+rho+wd", "Adadelta",
     {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}, {}),
    ("NAdam", "NAdam", {"lr": 0.01}, {}),
    ("NAdam momentum_decay+wd", "NAdam",
     {"lr": 0.01, "momentum_decay": 0.1, "weight_decay": 0.1}, {}),
    ("SGD momentum + clip_norm", "SGD", {"lr": 0.05, "momentum": 0.9}, {"clip": 1.0}),
    ("Adam + clip_norm + wd", "Adam", {"lr": 0.01, "weight_decay": 0.1}, {"clip": 1.0}),
    ("SGD + StepDecay", "SGD", {"lr": 0.1, "momentum": 0.9},
     {"schedule": schedules.StepDecay(10, gamma=0.5)}),
    ("Adam + Exponential", "Adam", {"lr": 0.01},
     {"schedule": schedules.Exponential(0.95)}),
    ("Adam + Cosine", "Adam", {"lr": 0.01},
     {"schedule": schedules.Cosine(T_max=STEPS, eta_min=1e-4)}),
    ("Adagrad lr_decay + Exponential", "Adagrad", {"lr": 0.1, "lr_decay": 0.05},
     {"schedule": schedules.Exponential(0.97)}),
    ("AdamW + LinearWarmup", "AdamW", {"lr": 0.01},
     {"schedule": schedules.LinearWarmup(10)}),
    ("SGD + LinearWarmup then Cosine", "SGD", {"lr": 0.1, "momentum": 0.9},
     {"schedule": schedules.LinearWarmup(10, after=schedules.Cosine(T_max=STEPS - 10))}),
]

NO_TORCH_EQUIVALENT = [
    "RMSprop eps_inside_sqrt (Keras' g/sqrt(v+eps)): torch.optim has no such option; "
    "covered by tests/engine/test_optim.py against the written-out formula",
]


def torch_scheduler(torch: Any, opt: Any, schedule: schedules.Schedule | None) -> Any:
    """The torch.optim.lr_scheduler equivalent of an engine schedule (stepped per step)."""
    lrs = torch.optim.lr_scheduler
    if schedule is None:
        return None
    if isinstance(schedule, schedules.StepDecay):
        return lrs.StepLR(opt, step_size=schedule.step_size, gamma=schedule.gamma)
    if isinstance(schedule, schedules.Exponential):
        return lrs.ExponentialLR(opt, gamma=schedule.gamma)
    if isinstance(schedule, schedules.Cosine):
        return lrs.CosineAnnealingLR(opt, T_max=schedule.T_max, eta_min=schedule.eta_min)
    if isinstance(schedule, schedules.LinearWarmup):
        w = schedule.warmup_steps
        warm = lrs.LinearLR(opt, start_factor=1 / w, end_factor=1.0, total_iters=w - 1)
        if schedule.after is None:
            return warm
        after = torch_scheduler(torch, opt, schedule.after)
        return lrs.SequentialLR(opt, [warm, after], milestones=[w])
    raise TypeError(f"no torch equivalent for {schedule!r}")


def run_case(torch: Any, cls_name: str, kwargs: dict[str, Any], extras: dict[str, Any],
             x0: np.ndarray, grads: np.ndarray) -> tuple[float, float]:
    """Max |Δparams| over all steps and max |Δstate| at the end."""
    schedule, clip = extras.get("schedule"), extras.get("clip")
    ours = getattr(optim, cls_name)(**kwargs, schedule=schedule, clip_norm=clip)
    theta = x0.copy()

    p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, cls_name)([p], **kwargs, foreach=False)
    sched = torch_scheduler(torch, theirs, schedule)

    worst = 0.0
    for g in grads:
        g_before = g.copy()
        ours.step(theta, g)
        assert np.array_equal(g, g_before), "the engine modified the caller's grads"

        tg = torch.tensor(g)
        if clip is not None:
            norm = float(torch.linalg.vector_norm(tg))
            if norm > clip:
                tg = tg * (clip / norm)
        p.grad = tg
        theirs.step()
        if sched is not None:
            sched.step()
        worst = max(worst, float(np.max(np.abs(theta - p.detach().numpy()))))

    torch_state = theirs.state[p]
    state_diff = 0.0
    for name, arr in ours.state.items():
        ref = torch_state[name].detach().numpy()
        state_diff = max(state_diff, float(np.max(np.abs(arr - ref))))
    return worst, state_diff


def main() -> int:
    try:
        import torch
    except ImportError:
        print("torch is not installed: skipping the comparison with torch.optim "
              "(pip install torch==2.13.0 to run it).")
        return 0
    torch.set_default_dtype(torch.float64)  # torch's scalar state (step, mu_product) too

    rng = np.random.default_rng(0)
    x0 = rng.normal(size=N)
    # Gradients whose norm ranges over ~[0.1, 10], so clipping at 1 acts on some steps only.
    scales = np.exp(rng.uniform(np.log(0.05), np.log(4.0), size=STEPS))
    grads = rng.normal(size=(STEPS, N)) * scales[:, None]

    print(f"engine.optim vs torch.optim {torch.__version__}: {STEPS} steps, float64, n={N}")
    print(f"{'case':34s} {'max|dparams|':>13s} {'max|dstate|':>12s}")
    failed = []
    for label, cls_name, kwargs, extras in CASES:
        dp, ds = run_case(torch, cls_name, kwargs, extras, x0, grads)
        ok = dp <= TOLERANCE and ds <= TOLERANCE
        print(f"{label:34s} {dp:13.2e} {ds:12.2e}{'' if ok else '   FAIL'}")
        if not ok:
            failed.append(label)
    for note in NO_TORCH_EQUIVALENT:
        print(f"not compared: {note}")
    if failed:
        print(f"FAILED (> {TOLERANCE:g}): {', '.join(failed)}")
        return 1
    print(f"all {len(CASES)} cases within {TOLERANCE:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
