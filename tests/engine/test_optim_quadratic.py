"""Gradient descent and momentum on a quadratic: the closed forms of REFERENCE.md §2.

f(θ) = ½ θᵀAθ − bᵀθ, ∇f = Aθ − b, eigenvalues λ1 = 0.01 … λn = 1 (κ = 100), in a random
rotated basis so nothing relies on A being diagonal. The optimizers are driven with
grads = A@θ − b exactly as they would be by a network.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import optim

L1, LN = 0.01, 1.0
KAPPA = LN / L1
SQ1, SQN = np.sqrt(L1), np.sqrt(LN)
ALPHA_STAR = (2 / (SQ1 + SQN)) ** 2
BETA_STAR = ((SQN - SQ1) / (SQN + SQ1)) ** 2
MOMENTUM_RATE = (np.sqrt(KAPPA) - 1) / (np.sqrt(KAPPA) + 1)  # 0.8182
GD_RATE = (KAPPA - 1) / (KAPPA + 1)  # 0.9802


def quadratic(n: int, seed: int = 0, minimum_at_zero: bool = True):
    """(A, b, θ*, θ0) with A's spectrum spanning [L1, LN]."""
    rng = np.random.default_rng(seed)
    lam = np.concatenate([[L1, LN], rng.uniform(L1, LN, size=n - 2)])
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(lam) @ Q.T
    # With θ* = 0 the error is θ itself, so it can shrink by 1e-17 without hitting the
    # rounding floor of θ − θ*; the slower GD runs can use a nonzero minimum.
    theta_star = np.zeros(n) if minimum_at_zero else rng.normal(size=n)
    return A, A @ theta_star, theta_star, rng.normal(size=n)


def error_norms(opt, A, b, theta_star, theta0, steps):
    theta = theta0.copy()
    errs = [np.linalg.norm(theta - theta_star)]
    for _ in range(steps):
        opt.step(theta, A @ theta - b)
        errs.append(np.linalg.norm(theta - theta_star))
    return np.array(errs)


def measured_rate(errs, first=50, last=200):
    """Geometric mean of the per-step error ratio over steps first..last."""
    return (errs[last] / errs[first]) ** (1 / (last - first))


def test_closed_form_constants():
    assert MOMENTUM_RATE == pytest.approx(0.8182, abs=1e-4)
    assert GD_RATE == pytest.approx(0.9802, abs=1e-4)
    # The iteration matrix [[β, λ], [−αβ, 1−αλ]] has spectral radius √β* at λ1 and λn.
    for lam in (L1, LN):
        M = np.array([[BETA_STAR, lam], [-ALPHA_STAR * BETA_STAR, 1 - ALPHA_STAR * lam]])
        assert np.max(np.abs(np.linalg.eigvals(M))) == pytest.approx(MOMENTUM_RATE, rel=1e-6)


@pytest.mark.parametrize("n", [2, 10])
def test_momentum_at_optimal_alpha_beta_has_rate_sqrt_kappa(n):
    A, b, theta_star, theta0 = quadratic(n)
    errs = error_norms(optim.SGD(lr=ALPHA_STAR, momentum=BETA_STAR), A, b, theta_star,
                       theta0, 200)
    rate = measured_rate(errs)
    # At (α*, β*) the extreme eigen-directions sit exactly on a double root, so their
    # error behaves like k·r^k: the measured rate is r·(200/50)^(1/150) ≈ r·1.009.
    assert rate == pytest.approx(MOMENTUM_RATE, rel=0.01)
    assert rate < GD_RATE  # and far faster than the best gradient descent


@pytest.mark.parametrize("beta", [0.7, 0.8, 0.9])
def test_momentum_in_the_complex_regime_has_rate_sqrt_beta(beta):
    # For β above β* every eigen-direction has complex roots of modulus √β (the
    # determinant of the iteration matrix is β). The error norm oscillates with the
    # rotation, so the rate is the slope of a log-linear fit rather than one ratio.
    A, b, theta_star, theta0 = quadratic(2)
    errs = error_norms(optim.SGD(lr=ALPHA_STAR, momentum=beta), A, b, theta_star, theta0, 400)
    k = np.arange(50, 401)
    slope = np.polyfit(k, np.log(errs[50:]), 1)[0]
    assert np.exp(slope) == pytest.approx(np.sqrt(beta), rel=2e-3)


@pytest.mark.parametrize("n", [2, 10])
def test_gd_at_best_alpha_has_rate_kappa(n):
    A, b, theta_star, theta0 = quadratic(n, minimum_at_zero=False)
    errs = error_norms(optim.SGD(lr=2 / (L1 + LN)), A, b, theta_star, theta0, 200)
    assert measured_rate(errs) == pytest.approx(GD_RATE, rel=0.01)


def test_gd_converges_just_below_two_over_lambda_max_and_diverges_just_above():
    A, b, theta_star, theta0 = quadratic(2, minimum_at_zero=False)
    below = error_norms(optim.SGD(lr=0.99 * 2 / LN), A, b, theta_star, theta0, 1500)
    above = error_norms(optim.SGD(lr=1.01 * 2 / LN), A, b, theta_star, theta0, 1500)
    assert below[-1] < 1e-6 * below[0]
    assert above[-1] > 1e6 * above[0]


def test_momentum_stability_threshold_is_two_plus_two_beta():
    beta = 0.5
    A, b, theta_star, theta0 = quadratic(2)
    edge = (2 + 2 * beta) / LN
    below = error_norms(optim.SGD(lr=0.99 * edge, momentum=beta), A, b, theta_star,
                        theta0, 2000)
    above = error_norms(optim.SGD(lr=1.01 * edge, momentum=beta), A, b, theta_star,
                        theta0, 2000)
    assert below[-1] < 1e-3 * below[0]
    assert above[-1] > 1e3 * above[0]


@pytest.mark.parametrize(
    "opt",
    [optim.Adam(lr=0.05), optim.RMSprop(lr=0.01), optim.Adagrad(lr=0.5),
     optim.Adadelta(lr=1.0), optim.NAdam(lr=0.05), optim.AdamW(lr=0.05, weight_decay=0.0),
     optim.SGD(lr=1.0, momentum=0.9, nesterov=True)],
    ids=lambda o: type(o).__name__,
)
def test_every_optimizer_descends_the_quadratic(opt):
    A, b, theta_star, theta0 = quadratic(5, minimum_at_zero=False)
    errs = error_norms(opt, A, b, theta_star, theta0, 3000)
    assert errs[-1] < 0.1 * errs[0]
