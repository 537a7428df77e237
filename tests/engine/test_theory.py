"""Closed-form rates of GD and momentum on quadratics, checked against iteration."""

import numpy as np
import pytest

from engine import optim, paths, surfaces, theory

KAPPA = 100.0
LAM = [1.0 / KAPPA, 1.0]  # the quadratic_bowl's eigenvalues for kappa=100


def _measured_ratio(errors, k0=50, k1=200):
    """Per-step error ratio over steps k0..k1: (e_k1 / e_k0)^(1 / (k1 - k0))."""
    return (errors[k1] / errors[k0]) ** (1.0 / (k1 - k0))


def test_reference_example_numbers():
    """REFERENCE.md §2: λ1 = 0.01, λn = 1 -> momentum 0.8182, GD's best 0.9802."""
    a, b, r = theory.momentum_optimal(LAM)
    assert r == pytest.approx(0.8182, abs=1e-4)
    assert a == pytest.approx((2 / (0.1 + 1)) ** 2) and b == pytest.approx((0.9 / 1.1) ** 2)
    assert theory.gd_optimal(LAM) == pytest.approx((2 / 1.01, 0.9802), abs=1e-4)
    assert theory.condition_number([3.0, 0.03, 1.0]) == pytest.approx(100.0)


def test_momentum_at_optimum_on_the_bowl_matches_theory():
    """Engine SGD(lr=α*, momentum=β*) on quadratic_bowl(κ=100): the per-step error ratio
    over steps 50..200 is (√κ-1)/(√κ+1) within 1 %, and theory.py gives that number."""
    s = surfaces.get("quadratic_bowl", kappa=KAPPA, angle=0.3)
    lam = np.linalg.eigvalsh(s.hessian([0.0, 0.0]))
    a, b, r = theory.momentum_optimal(lam)
    expected = (np.sqrt(KAPPA) - 1) / (np.sqrt(KAPPA) + 1)
    assert r == pytest.approx(expected, rel=1e-12)
    assert theory.momentum_rate(a, b, lam) == pytest.approx(expected, rel=1e-9)
    pts = paths.descend(s, optim.SGD(lr=a, momentum=b), steps=200, bound=None)
    errors = np.linalg.norm(pts, axis=1)  # the minimum is the origin
    measured = _measured_ratio(errors)
    assert measured == pytest.approx(expected, rel=0.01)
    # At the optimum both extreme directions sit on the critical-damping boundary: a
    # double eigenvalue, so e_k ~ (c0 + c1 k) r^k and the raw ratio carries up to a factor
    # (200/50)^(1/150) = 1.0093. Dividing the polynomial out recovers r much more tightly.
    corrected = ((errors[200] / 200) / (errors[50] / 50)) ** (1 / 150)
    assert corrected == pytest.approx(expected, rel=1e-3)


def test_gd_at_best_step_matches_theory():
    s = surfaces.get("quadratic_bowl", kappa=KAPPA, angle=-1.1)
    lam = np.linalg.eigvalsh(s.hessian([0.0, 0.0]))
    alpha = 2 / (lam[0] + lam[-1])
    expected = (KAPPA - 1) / (KAPPA + 1)
    a_star, r_star = theory.gd_optimal(lam)
    assert a_star == pytest.approx(alpha) and r_star == pytest.approx(expected, rel=1e-12)
    assert theory.gd_rate(alpha, lam) == pytest.approx(expected, rel=1e-12)
    pts = paths.descend(s, optim.SGD(lr=alpha), steps=200, bound=None)
    measured = _measured_ratio(np.linalg.norm(pts, axis=1))
    assert measured == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("alpha,beta", [(1.0, 0.5), (0.5, 0.9), (1.8, 0.0), (3.0, 0.7)])
def test_rate_at_ordinary_settings_matches_iteration(alpha, beta):
    """Away from the optimum the dominant eigenvalue is simple, so the measured ratio
    is the rate. A complex pair makes |e_k| oscillate under its envelope r^k, so the
    ratio is taken between running maxima over a 40-step window."""
    rate = theory.momentum_rate(alpha, beta, LAM)
    e = np.max(np.abs(theory.eigen_errors(alpha, beta, LAM, 300, initial=1.0)), axis=1)
    envelope = np.array([e[k - 40 : k + 1].max() for k in range(40, 301)])
    measured = (envelope[-1] / envelope[100]) ** (1 / 160)
    assert measured == pytest.approx(rate, rel=0.01)


def test_rate_map_is_the_spectral_radius_of_the_iteration_matrices():
    lam = [0.05, 0.3, 2.0]
    alphas = np.linspace(0.0, 2.5, 23)
    betas = np.linspace(0.0, 0.99, 17)
    rates = theory.rate_map(lam, alphas, betas)
    assert rates.shape == (17, 23)
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            rho = max(np.max(np.abs(np.linalg.eigvals(np.array([[b, l], [-a * b, 1 - a * l]]))))
                      for l in lam)
            assert rates[i, j] == pytest.approx(rho, rel=1e-6, abs=1e-7)
    # β = 0 row is gradient descent
    np.testing.assert_allclose(rates[0], theory.gd_rate(alphas, lam), rtol=1e-12)
    # the optimum is the minimum of the map (to grid resolution)
    a_s, b_s, r_s = theory.momentum_optimal(lam)
    assert r_s <= rates.min() + 1e-12


def test_stability_region_matches_rate_below_one():
    alphas = np.linspace(0.01, 4.5, 91)
    betas = np.linspace(0.0, 0.98, 50)
    stable = theory.stability_map(LAM, alphas, betas)
    rates = theory.rate_map(LAM, alphas, betas)
    boundary = np.abs(alphas[None, :] - theory.stability_boundary(LAM, betas)[:, None]) < 1e-9
    np.testing.assert_array_equal(stable[~boundary], (rates < 1)[~boundary])
    assert theory.momentum_stable(3.9, 0.99, LAM) and not theory.momentum_stable(4.1, 0.99, LAM)
    assert theory.gd_stable(1.99, LAM) and not theory.gd_stable(2.01, LAM)
    assert theory.stability_boundary(LAM, 0.5) == pytest.approx(3.0)


def test_eigenvalues_closed_form_and_helpers():
    z1, z2 = theory.momentum_eigenvalues(0.3, 0.6, 0.8)
    w = np.linalg.eigvals(np.array([[0.6, 0.8], [-0.3 * 0.6, 1 - 0.3 * 0.8]]))
    np.testing.assert_allclose(sorted([z1, z2], key=lambda z: (z.real, z.imag)),
                               sorted(w, key=lambda z: (z.real, z.imag)), atol=1e-12)
    assert theory.iterations_to_converge(0.5, 1e-3) == 10
    assert theory.iterations_to_converge(1.0) == np.inf
    np.testing.assert_array_equal(theory.iterations_to_converge(np.array([0.1, 2.0]), 1e-2),
                                  [2, np.inf])
    # eigen_errors with β = 0 is (1 - αλ)^k
    e = theory.eigen_errors(0.5, 0.0, LAM, 10, initial=[2.0, 3.0])
    np.testing.assert_allclose(e[10], [2.0 * (1 - 0.005) ** 10, 3.0 * 0.5**10])


def test_bad_spectra_are_refused():
    for bad in ([], [0.0, 1.0], [-1.0, 1.0], [np.nan]):
        with pytest.raises(ValueError, match="eigenvalues must be"):
            theory.momentum_optimal(bad)
    with pytest.raises(ValueError, match="steps"):
        theory.eigen_errors(0.1, 0.5, LAM, -1)
