"""engine.optim's shared interface: state, state_dict, reset, schedules, clipping,
aliases, bad input, and the no-allocation promise."""

from __future__ import annotations

import copy
import json
import math
import pickle
import tracemalloc

import numpy as np
import pytest

from engine import optim
from engine.optim import schedules

N = 8


def _grads(steps, seed=0, n=N, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=n) * rng.uniform(0.1, 3.0)).astype(dtype) for _ in range(steps)]


# One configuration per optimizer with every stateful option switched on, plus
# schedules and clipping, so state_dict and friends see every kind of state.
CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01,
             "clip_norm": 1.0}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.1,
                 "schedule": schedules.StepDecay(3, 0.5)}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "eps_inside_sqrt": True, "clip_norm": 2.0}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1,
              "schedule": schedules.Cosine(20, eta_min=1e-3)}),
    ("AdamW", {"lr": 0.01,
               "schedule": schedules.LinearWarmup(4, after=schedules.Exponential(0.9))}),
    ("Adadelta", {"weight_decay": 0.1, "clip_norm": 1.0}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.5, "weight_decay": 0.1}),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]

STATE_NAMES = {
    0: set(),
    1: {"momentum_buffer"},
    2: {"sum"},
    3: {"square_avg", "momentum_buffer", "grad_avg"},
    4: {"square_avg"},
    5: {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    6: {"exp_avg", "exp_avg_sq"},
    7: {"square_avg", "acc_delta"},
    8: {"exp_avg", "exp_avg_sq"},
}


def _make(i):
    name, kw = CONFIGS[i]
    return getattr(optim, name)(**kw)


def _run(opt, theta, grads):
    for g in grads:
        opt.step(theta, g)
    return theta


# --- state ---------------------------------------------------------------------------


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
def test_state_is_empty_before_first_step_then_read_only_live_views(i):
    opt = _make(i)
    assert dict(opt.state) == {} and opt.t == 0
    theta = np.zeros(N)
    opt.step(theta, _grads(1)[0])
    assert set(opt.state) == STATE_NAMES[i] and opt.t == 1
    for name, view in opt.state.items():
        assert view.shape == theta.shape and view.dtype == theta.dtype
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 1.0
        before = view.copy()
        opt.step(theta, _grads(1, seed=5)[0])
        assert not np.array_equal(view, before), f"{name} view is not live"
    with pytest.raises(TypeError):
        opt.state["x"] = np.zeros(N)


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
def test_state_dict_round_trip_continues_bit_for_bit(i):
    grads = _grads(12)
    theta = np.random.default_rng(1).normal(size=N)
    opt = _make(i)
    _run(opt, theta, grads[:7])
    sd = opt.state_dict()
    opt_lr_after_7 = opt.current_lr
    assert sd["name"] == type(opt).__name__ and sd["t"] == 7
    theta_saved = theta.copy()

    _run(opt, theta, grads[7:])  # the uninterrupted run

    # Rebuilt from nothing, after a trip of everything but the arrays through JSON ...
    meta = json.loads(json.dumps({k: v for k, v in sd.items() if k != "state"}))
    resumed = optim.from_state_dict({**meta, "state": sd["state"]})
    assert resumed.current_lr == opt_lr_after_7
    theta2 = _run(resumed, theta_saved.copy(), grads[7:])
    assert theta2.tobytes() == theta.tobytes()
    # ... and loaded into an optimizer that had been doing something else.
    other = _make(i)
    _run(other, np.ones(N), _grads(3, seed=9))
    other.load_state_dict(sd)
    theta3 = _run(other, theta_saved.copy(), grads[7:])
    assert theta3.tobytes() == theta.tobytes()
    for name, a in opt.state.items():
        assert resumed.state[name].tobytes() == a.tobytes()
    assert other.current_lr == opt.current_lr


def test_load_state_dict_accepts_numpy_step_count():
    # io.py may read t back from an .npz as a 0-d array or a NumPy integer.
    opt = optim.SGD(lr=0.1, momentum=0.9)
    opt.step(np.zeros(3), np.ones(3))
    sd = opt.state_dict()
    for t in (np.int64(1), np.array(1)):
        fresh = optim.SGD(lr=0.1, momentum=0.9)
        fresh.load_state_dict({**sd, "t": t})
        assert fresh.t == 1 and type(fresh.t) is int


def test_state_dict_arrays_are_copies():
    opt = optim.Adam()
    theta = np.zeros(N)
    opt.step(theta, np.ones(N))
    sd = opt.state_dict()
    sd["state"]["exp_avg"][:] = 123.0
    assert not np.any(opt.state["exp_avg"] == 123.0)


def test_load_state_dict_keeps_live_views_when_compatible():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    theta = np.zeros(N)
    opt.step(theta, np.ones(N))
    view = opt.state["momentum_buffer"]
    sd = opt.state_dict()
    sd["state"]["momentum_buffer"] = np.full(N, 7.0)
    opt.load_state_dict(sd)
    assert np.all(view == 7.0)


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
def test_pickle_and_deepcopy_continue_identically(i):
    grads = _grads(8)
    opt = _make(i)
    theta = _run(opt, np.zeros(N), grads[:4])
    for clone in (pickle.loads(pickle.dumps(opt)), copy.deepcopy(opt)):
        t_clone = _run(clone, theta.copy(), grads[4:])
        assert set(clone.state) == set(opt.state)
        t_orig = _run(copy.deepcopy(opt), theta.copy(), grads[4:])
        assert t_clone.tobytes() == t_orig.tobytes()


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
def test_reset_forgets_state_and_t_but_keeps_hyperparameters(i):
    grads = _grads(6)
    opt = _make(i)
    hyper = opt.hyperparameters()
    _run(opt, np.zeros(N), grads)
    opt.reset()
    assert opt.t == 0 and dict(opt.state) == {}
    assert opt.hyperparameters() == hyper
    # After a reset it behaves exactly like a fresh optimizer, even on another shape.
    a = _run(opt, np.ones(N + 3), _grads(4, n=N + 3))
    b = _run(_make(i), np.ones(N + 3), _grads(4, n=N + 3))
    assert a.tobytes() == b.tobytes()


def test_other_params_shape_needs_reset():
    opt = optim.Adam()
    opt.step(np.zeros(4), np.ones(4))
    with pytest.raises(ValueError, match=r"built for params of shape \(4,\).*got shape \(5,\)"):
        opt.step(np.zeros(5), np.ones(5))
    with pytest.raises(ValueError, match="float64.*float32"):
        opt.step(np.zeros(4, np.float32), np.ones(4, np.float32))


# --- hyper-parameters ----------------------------------------------------------------


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
def test_from_config_rebuilds_the_same_optimizer(i):
    opt = _make(i)
    hyper = opt.hyperparameters()
    clone = type(opt).from_config(json.loads(json.dumps(hyper)))
    assert clone.hyperparameters() == hyper
    a = _run(opt, np.zeros(N), _grads(5))
    b = _run(clone, np.zeros(N), _grads(5))
    assert a.tobytes() == b.tobytes()


def test_lr_is_mutable_and_takes_effect_next_step():
    opt = optim.SGD(lr=0.1)
    theta = np.zeros(2)
    opt.step(theta, np.ones(2))
    opt.lr = 0.5
    opt.step(theta, np.ones(2))
    np.testing.assert_allclose(theta, [-0.6, -0.6])
    assert opt.hyperparameters()["lr"] == 0.5


def test_other_hyperparameters_are_read_only():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    assert opt.momentum == 0.9
    with pytest.raises(AttributeError, match="momentum is fixed"):
        opt.momentum = 0.5
    with pytest.raises(AttributeError, match="betas is fixed"):
        optim.Adam().betas = (0.5, 0.5)


def test_bad_lr_set_by_the_app_is_reported_at_step():
    opt = optim.SGD(lr=0.1)
    opt.lr = float("nan")
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got nan"):
        opt.step(np.zeros(2), np.ones(2))


def test_current_lr_follows_schedule():
    opt = optim.SGD(lr=1.0, schedule=schedules.StepDecay(2, gamma=0.5))
    theta = np.zeros(1)
    assert opt.current_lr == 1.0  # the next step's, before any step
    used = []
    for _ in range(5):
        opt.step(theta, np.ones(1))
        used.append(opt.current_lr)
    assert used == [1.0, 1.0, 0.5, 0.5, 0.25]
    np.testing.assert_allclose(theta, [-sum(used)])


def test_repr_names_the_hyperparameters():
    r = repr(optim.Adam(lr=0.1, schedule=schedules.Cosine(10)))
    assert r.startswith("Adam(lr=0.1, betas=(0.9, 0.999)") and "Cosine(T_max=10" in r


# --- schedules -----------------------------------------------------------------------


def test_schedule_values():
    base = 0.1
    assert [schedules.Constant()(t, base) for t in (0, 5)] == [0.1, 0.1]
    step = schedules.StepDecay(3, gamma=0.1)
    assert [step(t, 1.0) for t in range(7)] == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01])
    assert schedules.Exponential(0.5)(3, 1.0) == 0.125
    cos = schedules.Cosine(10, eta_min=0.01)
    assert cos(0, base) == base
    assert cos(5, base) == pytest.approx((0.1 + 0.01) / 2)
    assert cos(10, base) == pytest.approx(0.01)
    assert cos(25, base) == 0.01  # stays at eta_min after T_max
    warm = schedules.LinearWarmup(4)
    assert [warm(t, 1.0) for t in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    warm_cos = schedules.LinearWarmup(2, after=schedules.Cosine(4))
    assert [warm_cos(t, 1.0) for t in range(7)] == pytest.approx(
        [0.5, 1.0, 1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5, (1 + math.cos(3 * math.pi / 4)) / 2,
         0.0])


@pytest.mark.parametrize("s", [
    schedules.Constant(), schedules.StepDecay(5, 0.3), schedules.Exponential(0.99),
    schedules.Cosine(100, 1e-4), schedules.LinearWarmup(10),
    schedules.LinearWarmup(10, after=schedules.Cosine(50)),
], ids=repr)
def test_schedule_config_round_trip(s):
    config = json.loads(json.dumps(s.get_config()))
    again = schedules.from_config(config)
    assert again == s
    assert [again(t, 0.1) for t in range(30)] == [s(t, 0.1) for t in range(30)]


def test_schedule_bad_input():
    with pytest.raises(ValueError, match="step_size must be an integer >= 1, got 0"):
        schedules.StepDecay(0)
    with pytest.raises(ValueError, match="gamma must be a finite number > 0, got -1"):
        schedules.Exponential(-1)
    with pytest.raises(ValueError, match="T_max must be an integer >= 1, got 2.5"):
        schedules.Cosine(2.5)
    with pytest.raises(ValueError, match=r"unknown schedule 'Linear'; expected one of \["):
        schedules.from_config({"name": "Linear"})
    with pytest.raises(ValueError, match=r"unknown argument\(s\) \['gama'\]"):
        schedules.from_config({"name": "Exponential", "gama": 0.5})
    with pytest.raises(TypeError, match="schedule must be None"):
        optim.SGD(schedule=lambda t, lr: lr)


# --- clipping ------------------------------------------------------------------------


def test_clip_by_global_norm_scales_exactly():
    g = np.array([3.0, 4.0])
    out = np.empty(2)
    norm = optim.clip_by_global_norm(g, 1.0, out=out)
    assert norm == 5.0
    np.testing.assert_array_equal(out, g * (1.0 / 5.0))  # scaled by exactly c/‖g‖
    assert np.linalg.norm(out) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(g, [3.0, 4.0])  # untouched when out is given
    assert optim.clip_by_global_norm(g, 10.0, out=out) == 5.0
    np.testing.assert_array_equal(out, g)  # below the threshold: copied unchanged
    optim.clip_by_global_norm(g, 2.5)  # in place
    np.testing.assert_array_equal(g, [1.5, 2.0])


def test_clip_by_global_norm_over_a_list_and_overflow():
    parts = [np.array([3.0]), np.array([[4.0]])]
    assert optim.clip_by_global_norm(parts, 1.0) == 5.0
    np.testing.assert_allclose(parts[0], [0.6])
    np.testing.assert_allclose(parts[1], [[0.8]])
    big = np.full(4, 1e30, np.float32)  # the float32 sum of squares overflows
    assert optim.clip_by_global_norm(big, 1.0) == pytest.approx(2e30, rel=1e-6)
    np.testing.assert_allclose(big, 0.5, rtol=1e-6)
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0, got 0"):
        optim.clip_by_global_norm(big, 0)


def test_optimizer_clipping_acts_only_above_the_threshold():
    g_small, g_big = np.array([0.3, 0.4]), np.array([30.0, 40.0])
    for g, effective in ((g_small, g_small), (g_big, g_big * (1.0 / 50.0))):
        theta = np.zeros(2)
        keep = g.copy()
        optim.SGD(lr=1.0, clip_norm=1.0).step(theta, g)
        np.testing.assert_array_equal(theta, -effective)
        np.testing.assert_array_equal(g, keep)


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
def test_grads_are_never_modified_nor_params_rebound(i):
    opt = _make(i)
    theta = np.zeros(N)
    theta_id = id(theta)
    for g in _grads(5, seed=3):
        g = g * 10  # large enough for the clipping configurations to clip
        keep = g.copy()
        opt.step(theta, g)
        assert g.tobytes() == keep.tobytes()
    assert id(theta) == theta_id and np.any(theta != 0)


# --- speed: no allocation after the first step ---------------------------------------


@pytest.mark.parametrize("i", range(len(CONFIGS)), ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_allocation_after_first_step(i, dtype):
    n = 50_000
    grads = _grads(4, n=n, dtype=dtype)
    theta = np.zeros(n, dtype)
    opt = _make(i)
    opt.step(theta, grads[0])
    buffers = {k: v.__array_interface__["data"][0] for k, v in opt.state.items()}
    tracemalloc.start()
    try:
        for g in grads[1:]:
            opt.step(theta, g)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000, f"a step allocated {peak} bytes (one vector is {theta.nbytes})"
    assert {k: v.__array_interface__["data"][0] for k, v in opt.state.items()} == buffers
    assert theta.dtype == dtype


# --- aliases -------------------------------------------------------------------------


@pytest.mark.parametrize("name, cls, expected", [
    ("sgd", optim.SGD, {"lr": 0.01, "momentum": 0.0}),
    ("rmsprop", optim.RMSprop,
     {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True, "centered": False}),
    ("adam", optim.Adam, {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-7, "amsgrad": False}),
    ("adamw", optim.AdamW, {"lr": 1e-3, "weight_decay": 0.004, "eps": 1e-7}),
    ("adagrad", optim.Adagrad, {"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7}),
    ("adadelta", optim.Adadelta, {"lr": 1e-3, "rho": 0.95, "eps": 1e-7}),
    ("nadam", optim.NAdam, {"lr": 1e-3, "eps": 1e-7, "momentum_decay": 1.0}),
    ("Adam", optim.Adam, {"lr": 1e-3}),
])
def test_keras_aliases(name, cls, expected):
    opt = optim.get(name)
    assert type(opt) is cls
    hyper = opt.hyperparameters()
    assert {k: hyper[k] for k in expected} == expected
    assert optim.get(name) is not opt  # a fresh optimizer each time


def test_get_passes_instances_through_and_lists_names_on_error():
    opt = optim.SGD()
    assert optim.get(opt) is opt
    expected = r"unknown optimizer 'adamax'; expected one of \['adadelta'"
    with pytest.raises(ValueError, match=expected):
        optim.get("adamax")
    with pytest.raises(TypeError, match="got int"):
        optim.get(3)


def test_keras_rmsprop_first_step():
    # Keras: v = 0.1 g², θ -= 1e-3 g / sqrt(v + 1e-7).
    g = np.array([0.5, -2.0])
    theta = np.zeros(2)
    optim.get("rmsprop").step(theta, g)
    np.testing.assert_allclose(theta, -1e-3 * g / np.sqrt(0.1 * g**2 + 1e-7), rtol=1e-14)


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("make, exc, match", [
    (lambda: optim.SGD(lr=0), ValueError, "lr must be > 0, got 0"),
    (lambda: optim.SGD(lr=-0.1), ValueError, r"lr must be > 0, got -0.1"),
    (lambda: optim.Adam(lr=float("inf")), ValueError, "lr must be a finite number, got inf"),
    (lambda: optim.Adam(lr="0.1"), TypeError, "lr must be a real number, got '0.1'"),
    (lambda: optim.Adam(betas=(0.9, 1.0)), ValueError,
     r"betas\[1\] must be in \[0, 1\), got 1.0"),
    (lambda: optim.Adam(betas=(-0.1, 0.9)), ValueError,
     r"betas\[0\] must be in \[0, 1\), got -0.1"),
    (lambda: optim.Adam(betas=0.9), ValueError, r"betas must be a pair \(beta1, beta2\), got 0.9"),
    (lambda: optim.Adam(eps=-1e-8), ValueError, "eps must be >= 0, got -1e-08"),
    (lambda: optim.SGD(momentum=-0.9), ValueError, "momentum must be >= 0, got -0.9"),
    (lambda: optim.RMSprop(momentum=-1), ValueError, "momentum must be >= 0, got -1"),
    (lambda: optim.AdamW(weight_decay=-0.01), ValueError, "weight_decay must be >= 0, got -0.01"),
    (lambda: optim.SGD(nesterov=True), ValueError,
     r"nesterov=True requires momentum > 0 and dampening = 0, got momentum=0.0"),
    (lambda: optim.SGD(momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "got momentum=0.9 and dampening=0.1"),
    (lambda: optim.SGD(nesterov="yes"), TypeError, "nesterov must be True or False, got 'yes'"),
    (lambda: optim.RMSprop(alpha=1.5), ValueError, r"alpha must be in \[0, 1\), got 1.5"),
    (lambda: optim.Adadelta(rho=2), ValueError, r"rho must be in \[0, 1\], got 2"),
    (lambda: optim.Adagrad(lr_decay=-1), ValueError, "lr_decay must be >= 0, got -1"),
    (lambda: optim.NAdam(momentum_decay=-1), ValueError, "momentum_decay must be >= 0"),
    (lambda: optim.Adam(clip_norm=0), ValueError, "clip_norm must be > 0, got 0"),
    (lambda: optim.Adam.from_config({"lr": 0.1, "beta": 0.9}), ValueError,
     r"unknown hyper-parameter\(s\) \['beta'\] for Adam"),
])
def test_bad_hyperparameters(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("params, grads, exc, match", [
    (np.zeros(3), np.zeros(4), ValueError,
     r"same shape, got params \(3,\) and grads \(4,\)"),
    (np.zeros(3), np.zeros(3, np.float32), TypeError,
     "same dtype, got params float64 and grads float32"),
    (np.zeros((2, 3)), np.zeros((2, 3)), ValueError,
     r"params must be a 1-D array \(the flat parameter vector\), got shape \(2, 3\)"),
    (np.zeros(3, int), np.zeros(3, int), TypeError,
     "params must be a floating-point array .* got dtype int64"),
    ([0.0, 0.0], np.zeros(2), TypeError, "params must be a NumPy array, got list"),
    (np.zeros(2), 1.0, TypeError, "grads must be a NumPy array, got float"),
])
def test_bad_arrays(params, grads, exc, match):
    with pytest.raises(exc, match=match):
        optim.Adam().step(params, grads)


def test_read_only_params_rejected():
    theta = np.zeros(3)
    theta.flags.writeable = False
    with pytest.raises(ValueError, match="params must be writeable"):
        optim.SGD().step(theta, np.ones(3))


def _adam_sd():
    opt = optim.Adam(lr=0.1)
    opt.step(np.zeros(4), np.ones(4))
    return opt.state_dict()


@pytest.mark.parametrize("edit, exc, match", [
    (lambda d: d.update(name="SGD"), ValueError,
     "state_dict is for optimizer 'SGD', expected 'Adam'"),
    (lambda d: d.pop("t"), ValueError, r"state_dict is missing \['t'\]"),
    (lambda d: d.update(t=-1), ValueError, r"state_dict\['t'\] must be an integer >= 0, got -1"),
    (lambda d: d["state"].pop("exp_avg"), ValueError,
     r"holds \['exp_avg_sq'\], expected \['exp_avg', 'exp_avg_sq'\]"),
    (lambda d: d["hyper"].update(amsgrad=True), ValueError,
     r"expected \['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'\]"),
    (lambda d: d["state"].update(exp_avg=np.zeros(5)), ValueError,
     r"\['exp_avg'\] has shape \(5,\) and dtype float64, expected shape \(4,\)"),
    (lambda d: d["state"].update(exp_avg=np.zeros(4, np.float32)), ValueError,
     "dtype float32, expected shape \\(4,\\) and dtype float64"),
    (lambda d: d["state"].update(exp_avg=[0.0] * 4), ValueError,
     r"\['exp_avg'\] must be a 1-D float array, got list"),
    (lambda d: d["hyper"].update(lr=-1.0), ValueError, "lr must be > 0, got -1.0"),
])
def test_load_state_dict_validates_and_leaves_optimizer_untouched(edit, exc, match):
    target = optim.Adam(lr=0.1)
    theta = np.zeros(4)
    target.step(theta, np.ones(4))
    before = target.state_dict()
    d = _adam_sd()
    edit(d)
    with pytest.raises(exc, match=match):
        target.load_state_dict(d)
    after = target.state_dict()
    assert after["t"] == before["t"] and after["hyper"] == before["hyper"]
    for k, v in before["state"].items():
        assert after["state"][k].tobytes() == v.tobytes()


def test_from_state_dict_unknown_name():
    with pytest.raises(ValueError, match=r"unknown optimizer 'Lion'; expected one of \["):
        optim.from_state_dict({"name": "Lion", "hyper": {}, "t": 0, "state": {}})
