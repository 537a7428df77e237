"""engine.optim update rules against the formulas of REFERENCE.md §1, written out plainly.

Each reference below is a direct transcription with fresh arrays every step (no in-place
tricks, no shared code with the engine), run on the same start and gradient sequence.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import optim

N = 6
STEPS = 5


def _problem(seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=N)
    # A gradient that changes from step to step, in size and direction.
    grads = [rng.normal(size=N) * s for s in (1.0, 0.3, 2.0, 0.7, 1.5)]
    return theta0, grads


# --- plain re-implementations of REFERENCE.md §1 -------------------------------------


def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    out, b = [], None
    for g in grads:
        g = g + weight_decay * theta
        if momentum:
            b = g.copy() if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
        out.append(theta)
    return out


def ref_adagrad(theta, grads, lr, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10):
    out, S = [], np.full_like(theta, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        clr = lr / (1 + (t - 1) * lr_decay)
        S = S + g**2
        theta = theta - clr * g / (np.sqrt(S) + eps)
        out.append(theta)
    return out


def ref_rmsprop(theta, grads, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False, eps_inside_sqrt=False):
    out = []
    v, gbar, b = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        w = v
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            w = v - gbar**2
        avg = np.sqrt(w + eps) if eps_inside_sqrt else np.sqrt(w) + eps
        if momentum > 0:
            b = momentum * b + g / avg
            theta = theta - lr * b
        else:
            theta = theta - lr * g / avg
        out.append(theta)
    return out


def ref_adam(theta, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, decoupled=False):
    b1, b2 = betas
    out = []
    m, v, vmax = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            theta = theta - lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta)
    return out


def ref_adamw(theta, grads, lr, weight_decay=1e-2, **kw):
    return ref_adam(theta, grads, lr, weight_decay=weight_decay, decoupled=True, **kw)


def ref_adadelta(theta, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    out, v, u = [], np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
        out.append(theta)
    return out


def ref_nadam(theta, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              momentum_decay=4e-3):
    b1, b2 = betas

    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))

    def prod(t):  # Π_{i<=t} μ_i
        return float(np.prod([mu(i) for i in range(1, t + 1)]))

    out, m, v = [], np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        v_hat = v / (1 - b2**t)
        direction = mu(t + 1) * m / (1 - prod(t + 1)) + (1 - mu(t)) * g / (1 - prod(t))
        theta = theta - lr * direction / (np.sqrt(v_hat) + eps)
        out.append(theta)
    return out


REF = {
    "SGD": ref_sgd, "Adagrad": ref_adagrad, "RMSprop": ref_rmsprop, "Adam": ref_adam,
    "AdamW": ref_adamw, "Adadelta": ref_adadelta, "NAdam": ref_nadam,
}

# (optimizer, kwargs): every option at least once; eps is made large where its placement
# is what is being tested, so that a wrong placement would show.
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.4}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.2}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.3}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 0.1}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.2}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "eps": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.8, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.7, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "eps": 0.1, "eps_inside_sqrt": True}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 0.1, "eps_inside_sqrt": True,
                 "centered": True, "momentum": 0.5}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 0.1}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.2}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "betas": (0.5, 0.6), "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.7, "eps": 1e-3, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.5}),  # the μ product matters here
    ("NAdam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 0.1, "weight_decay": 0.1}),
]


def _ids(case):
    name, kw = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


def _run(name, kw, theta0, grads, dtype=np.float64):
    opt = getattr(optim, name)(**kw)
    theta = theta0.astype(dtype)
    out = []
    for g in grads:
        opt.step(theta, g.astype(dtype))
        out.append(theta.copy())
    return opt, theta, out


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_update_rule_matches_reference(case):
    name, kw = case
    theta0, grads = _problem()
    _, _, got = _run(name, kw, theta0, grads)
    want = REF[name](theta0.copy(), grads, **kw)
    for k, (a, b) in enumerate(zip(got, want, strict=True), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {k}")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_float32_stays_float32(case):
    name, kw = case
    theta0, grads = _problem(1)
    opt, theta, got = _run(name, kw, theta0, grads, dtype=np.float32)
    assert theta.dtype == np.float32
    assert all(a.dtype == np.float32 for a in opt.state.values())
    want = REF[name](theta0.copy(), grads, **kw)
    np.testing.assert_allclose(got[-1], want[-1], rtol=2e-5, atol=2e-6)


def test_eps_placement_is_what_the_flag_says():
    theta0, grads = _problem()
    _, inside, _ = _run("RMSprop", {"lr": 0.01, "eps": 0.1, "eps_inside_sqrt": True},
                        theta0, grads)
    _, outside, _ = _run("RMSprop", {"lr": 0.01, "eps": 0.1}, theta0, grads)
    assert np.max(np.abs(inside - outside)) > 1e-4


def test_sgd_first_momentum_step_is_undamped():
    # PyTorch starts the buffer at g itself, so dampening only acts from step 2 on.
    opt = optim.SGD(lr=1.0, momentum=0.9, dampening=0.5)
    theta, g = np.zeros(3), np.array([1.0, -2.0, 3.0])
    opt.step(theta, g)
    np.testing.assert_array_equal(opt.state["momentum_buffer"], g)
    np.testing.assert_array_equal(theta, -g)


def test_nadam_mu_product_is_kept_across_steps():
    # With a large momentum_decay the μ_t differ a lot from step to step, so a wrong
    # product (e.g. μ_t^t) would be far off the reference.
    theta0, grads = _problem(2)
    kw = {"lr": 0.05, "momentum_decay": 2.0}
    ten_steps = grads + grads
    _, theta, _ = _run("NAdam", kw, theta0, ten_steps)
    np.testing.assert_allclose(theta, ref_nadam(theta0, ten_steps, **kw)[-1], rtol=1e-12)


def test_adagrad_current_lr_includes_lr_decay():
    opt = optim.Adagrad(lr=0.1, lr_decay=0.5)
    theta = np.zeros(2)
    assert opt.current_lr == pytest.approx(0.1)
    for t in range(1, 4):
        opt.step(theta, np.ones(2))
        assert opt.current_lr == pytest.approx(0.1 / (1 + (t - 1) * 0.5))


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 20),
                  elements=st.floats(-1e3, 1e3, allow_subnormal=False)))
def test_adam_first_step_never_exceeds_lr(g):
    # m̂ = g and v̂ = g² on step 1, so |Δθ| = lr·|g|/(|g| + eps) <= lr.
    theta = np.zeros_like(g)
    optim.Adam(lr=0.01).step(theta, g)
    assert np.all(np.abs(theta) <= 0.01 * (1 + 1e-12))


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e3, 1e3)),
       st.floats(1e-4, 10.0))
def test_plain_sgd_is_theta_minus_lr_g(g, lr):
    theta = np.ones_like(g)
    optim.SGD(lr=lr).step(theta, g)
    # BLAS axpy may fuse the multiply-add: equal up to the rounding of lr·g
    step = lr * g
    np.testing.assert_allclose(theta, 1.0 - step, rtol=0,
                               atol=2.3e-16 * (1.0 + float(np.max(np.abs(step)))))
