"""The Optimizer paths page through streamlit.testing (no browser), and its pure helpers."""

from __future__ import annotations

import json
from functools import partial

import apptest
import numpy as np
import pytest
from apptest import key, qp
from streamlit.testing.v1 import AppTest

from engine import optim, paths, surfaces, theory
from playground.i18n import Translator
from playground.views import paths as P

FIVE = ["gd", "momentum", "nesterov", "adam", "lbfgsb"]


open_page = partial(apptest.open_page, "paths")
_catalog = partial(apptest.catalog, "paths")


def sess(at: AppTest) -> dict:
    return at.session_state["paths"]


def marker(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "pg-paths" in m.value)


# -- the page -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_in_both_languages_with_five_optimizers(lang):
    cat = _catalog(lang)
    at = open_page(lang)
    assert not at.exception, at.exception
    assert at.title[0].value == cat["paths.title"]
    at.multiselect(key=key(at, "pw_opts")).set_value(FIVE).run()
    assert not at.exception, at.exception
    cfg = sess(at)["cfg"]
    assert cfg.opts == tuple(FIVE) and cfg.fn == "rosenbrock"
    table = at.dataframe[0].value
    assert list(table[cat["paths.col.optimizer"]]) == [cat[f"paths.opt.{o}"] for o in FIVE]
    assert table[cat["paths.col.steps"]].tolist()[:4] == [300, 300, 300, 300]
    assert qp(at, "p_opt") == ",".join(FIVE) and qp(at, "p_fn") == "rosenbrock"
    if lang == "zh":
        assert qp(at, "lang") == "zh"
    # the lr of one optimizer moves only its own path
    before = dict(sess(at)["cache"])
    at.select_slider(key=key(at, "pw_lr_gd")).set_value(0.002).run()
    assert sess(at)["cfg"].lr_of("gd") == 0.002
    assert len(sess(at)["cache"]) == len(before) + 1
    assert qp(at, "p_lr") == "gd:0.002"


def test_bad_expression_shows_the_parser_message_and_keeps_the_last_good_function():
    at = open_page()
    at.selectbox(key=key(at, "pw_fn")).select("expression").run()
    assert not at.exception
    assert sess(at)["cfg"].fn == "expression"
    start = sess(at)["cfg"].start
    assert start == P._start_of(surfaces.from_expression(P.DEFAULT_EXPR))
    good = sess(at)["cfg"]
    at.text_input(key=key(at, "pw_expr")).input("x**2 +* y").run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "syntax" in errors and "column 7" in errors
    assert any("^" in c.value for c in at.code)  # the caret under the offending column
    assert sess(at)["cfg"].expr == good.expr  # the paths still show the last valid function
    assert 'data-error="1"' in marker(at)
    assert at.dataframe  # the rest of the page is still there
    at.text_input(key=key(at, "pw_expr")).input("(x-1)**2 + 3*(y+2)**2").run()
    assert not at.exception and not at.error
    assert sess(at)["cfg"].expr == "(x-1)**2 + 3*(y+2)**2"
    assert qp(at, "p_fn") == "expr" and qp(at, "p_expr") == "(x-1)**2 + 3*(y+2)**2"


def test_bad_expression_in_chinese_is_explained_in_chinese():
    at = open_page("zh", p_fn="expr", p_expr="sin(x")
    assert not at.exception
    # a broken link falls back to a working page and says why
    assert sess(at)["cfg"].fn == "rosenbrock"
    assert any("p_expr" in w.value.replace("\\", "") for w in at.warning)  # markdown-escaped
    at.selectbox(key=key(at, "pw_fn")).select("expression").run()
    at.text_input(key=key(at, "pw_expr")).input("foo(x)").run()
    assert not at.exception
    assert any("无法使用这个公式" in e.value and "foo" in e.value for e in at.error)


def test_sweep_and_set_best_rates():
    at = open_page()
    at.multiselect(key=key(at, "pw_opts")).set_value(["gd", "adam", "adamw", "bfgs"]).run()
    assert not at.exception
    best = sess(at)["best"]
    assert set(best) == {"gd", "adam", "adamw"}  # first-order optimizers only
    s = surfaces.get("rosenbrock")
    finals = P.sweep(s, "gd", {}, s.start, 300)
    assert len(P.SWEEP_LRS) >= 30
    assert best["gd"] == pytest.approx(P.SWEEP_LRS[int(np.argmin(finals))])
    sweep_table = at.dataframe[1].value
    assert len(sweep_table) == 3
    at.button(key="pb_set_best").click().run()
    assert not at.exception
    cfg = sess(at)["cfg"]
    for opt in ("gd", "adam", "adamw"):
        assert cfg.lr_of(opt) == pytest.approx(best[opt])
        assert at.session_state[key(at, f"pw_lr_{opt}")] == pytest.approx(best[opt])
    assert at.success  # "set to the best of the sweep"
    # at its best rate GD ends lower than at the default rate (which is on the sweep's grid)
    cat = _catalog("en")
    final_gd = at.dataframe[0].value[cat["paths.col.f"]].tolist()[0]
    assert P.DEFAULT_LR["gd"] in np.round(P.SWEEP_LRS, 12)
    default = P.run_optimizer(s, "gd", P.DEFAULT_LR["gd"], {}, s.start, 300).final_value
    assert final_gd <= default


def test_start_point_inputs_and_links_round_trip():
    at = open_page(p_fn="himmelblau", p_opt="gd,adam", p_start="1,-2", p_steps="100",
                   p_lr="gd:0.01", p_hp="adam.beta1:0.8")
    assert not at.exception and not at.warning
    cfg = sess(at)["cfg"]
    assert (cfg.fn, cfg.opts, cfg.start, cfg.steps) == ("himmelblau", ("gd", "adam"),
                                                        (1.0, -2.0), 100)
    assert cfg.lr_of("gd") == 0.01 and cfg.hyper_of("adam")["beta1"] == 0.8
    assert at.number_input(key=key(at, "pw_x0")).value == 1.0
    at.number_input(key=key(at, "pw_y0")).set_value(2.5).run()
    assert sess(at)["cfg"].start == (1.0, 2.5) and qp(at, "p_start") == "1,2.5"
    # classic start button
    at.button(key="pb_reset_start").click().run()
    assert sess(at)["cfg"].start == (-0.5, -0.5) and "p_start" not in at.query_params
    assert P.to_query(sess(at)["cfg"], (-0.5, -0.5)) == {
        "p_fn": "himmelblau", "p_opt": "gd,adam", "p_steps": "100", "p_lr": "gd:0.01",
        "p_hp": "adam.beta1:0.8"}


def test_malformed_link_keeps_defaults_with_notes():
    at = open_page(p_fn="nope", p_opt="gd,warp", p_start="a,b", p_steps="many",
                   p_lr="gd:fast", p_hp="adam.gamma:1", other="kept-by-others")
    assert not at.exception
    notes = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown-escaped
    for k in ("p_fn", "p_opt", "p_start", "p_steps", "p_lr", "p_hp"):
        assert k in notes, k
    cfg = sess(at)["cfg"]
    assert cfg.fn == "rosenbrock" and cfg.opts == ("gd",) and cfg.steps == 300


def test_function_change_moves_the_start_and_bowl_options():
    at = open_page()
    at.selectbox(key=key(at, "pw_fn")).select("quadratic_bowl").run()
    assert not at.exception
    cfg = sess(at)["cfg"]
    assert cfg.start == (-1.8, 1.0)
    assert at.session_state[key(at, "pw_logc")] is False  # the bowl needs no log scale
    at.select_slider(key=key(at, "pw_kappa")).set_value(100.0).run()
    at.slider(key=key(at, "pw_angle")).set_value(30).run()
    assert not at.exception
    assert sess(at)["cfg"].surface_key() == ("quadratic_bowl", 100.0, 30)
    assert qp(at, "p_kappa") == "100" and qp(at, "p_angle") == "30"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_animation_internals_and_momentum_panels(lang):
    cat = _catalog(lang)
    at = open_page(lang, p_opt="gd,momentum,adam,newton,neldermead", p_steps="100")
    at.button_group(key=key(at, "pw_mode")).set_value("animate").run()
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    anim = [s for s in specs if s.get("frames")]
    assert anim, "the animation's frames must reach the browser"
    assert anim[0]["layout"]["title"]["text"] == cat["paths.chart.animation_title"]
    assert len(anim[0]["frames"]) == 60
    at.button_group(key=key(at, "pw_panel")).set_value("internals").run()
    assert not at.exception, at.exception
    for opt in ("momentum", "adam", "newton", "neldermead"):
        at.selectbox(key=key(at, "pw_iopt")).select(opt).run()
        at.slider(key=key(at, "pw_istep")).set_value(7).run()
        assert not at.exception, (opt, at.exception)
    at.button_group(key=key(at, "pw_panel")).set_value("momentum").run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    measured = [float(v) for v in table[cat["paths.momentum.col_measured"]]]
    predicted = [float(v) for v in table[cat["paths.momentum.col_predicted"]]]
    assert measured[0] == pytest.approx(predicted[0], abs=2e-3)  # gradient descent
    assert measured[1] == pytest.approx(predicted[1], abs=2e-2)  # optimal momentum
    at.select_slider(key=key(at, "pw_mkappa")).set_value(10.0).run()
    a, b, _ = theory.momentum_optimal((0.1, 1.0))
    assert at.session_state[key(at, "pw_malpha")] == pytest.approx(a)
    at.button(key="pb_try_momentum").click().run()
    assert not at.exception
    cfg = sess(at)["cfg"]
    assert cfg.surface_key() == ("quadratic_bowl", 10.0, 0) and cfg.opts == ("gd", "momentum")
    assert cfg.hyper_of("momentum")["momentum"] == pytest.approx(b, abs=1e-4)


def test_no_optimizer_selected_is_explained_not_an_error():
    at = open_page(p_opt="none")
    assert not at.exception and sess(at)["cfg"].opts == ()
    assert at.info
    for panel in ("internals", "momentum", "sweep"):
        at.button_group(key=key(at, "pw_panel")).set_value(panel).run()
        assert not at.exception, (panel, at.exception)


def test_language_switch_keeps_the_comparison():
    at = open_page("en", p_opt="adam,cg", p_lr="adam:0.1")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == _catalog("zh")["paths.title"]
    cfg = sess(at)["cfg"]
    assert cfg.opts == ("adam", "cg") and cfg.lr_of("adam") == 0.1
    assert at.multiselect(key=key(at, "pw_opts")).value == ["adam", "cg"]


# -- pure helpers ---------------------------------------------------------------------------------
def test_effective_step_and_internals_match_the_update_rules():
    s = surfaces.get("rosenbrock")
    hp = P.HYPER["adam"]
    r = paths.descend_full(s, P.make_optimizer("adam", 0.05, hp), None, 20)
    eff = P.effective_lr("adam", r, 0.05, hp)
    t = 3
    vhat = r.state["exp_avg_sq"][t] / (1 - 0.999 ** t)
    np.testing.assert_allclose(eff[t], 0.05 / (np.sqrt(vhat) + 1e-8))
    assert np.isnan(eff[0]).all()
    # the step equals eff * m̂ (Adam's rule) and the "velocity" arrow is −lr·m̂
    vec = P.internals_at("adam", r, t - 1, 0.05, hp)
    np.testing.assert_allclose(vec["step"], vec["velocity"] / 0.05 * eff[t], rtol=1e-9)
    # heavy ball: step = gradient part + velocity part
    hm = P.HYPER["momentum"]
    r = paths.descend_full(s, P.make_optimizer("momentum", 1e-3, hm), None, 20)
    vec = P.internals_at("momentum", r, 6, 1e-3, hm)
    np.testing.assert_allclose(vec["grad"] + vec["velocity"], vec["step"], rtol=1e-9)
    r = paths.descend_full(s, P.make_optimizer("nesterov", 1e-3, hm), None, 20)
    vec = P.internals_at("nesterov", r, 6, 1e-3, hm)
    np.testing.assert_allclose(vec["grad"] + vec["velocity"], vec["step"], rtol=1e-9)
    for opt in ("adagrad", "rmsprop", "adadelta", "nadam", "adamw"):
        hp = P.HYPER[opt]
        r = paths.descend_full(s, P.make_optimizer(opt, 0.01, hp), None, 10)
        eff = P.effective_lr(opt, r, 0.01, hp)
        assert eff.shape == (11, 2) and np.all(eff[1:] > 0), opt


def test_every_optimizer_runs_and_measured_rates_follow_theory():
    s = surfaces.get("himmelblau")
    for opt in P.OPTIMIZERS:
        r = P.run_optimizer(s, opt, P.DEFAULT_LR.get(opt, 0.0), P.HYPER.get(opt, {}),
                            s.start, 50)
        assert r.n_steps >= 1 and np.isfinite(r.values).all(), opt
    assert P.fit_rate(3.0 * 0.7 ** np.arange(40)) == pytest.approx(0.7)
    assert P.fit_rate([1.0, 0.5]) is None
    lam = (0.01, 1.0)
    a, _ = theory.gd_optimal(lam)
    run = P.momentum_run(100.0, a, 0.0)
    assert run["measured"] == pytest.approx(run["predicted"], rel=1e-3)
    a, b, rate = theory.momentum_optimal(lam)
    run = P.momentum_run(100.0, a, b)
    assert run["predicted"] == pytest.approx(rate) and abs(run["measured"] - rate) < 0.02
    unstable = P.momentum_run(100.0, 4.0, 0.5)  # α beyond (2+2β)/λ: the error grows
    assert unstable["predicted"] > 1
    assert unstable["measured"] == pytest.approx(unstable["predicted"], rel=1e-3)


def test_from_query_never_raises_and_to_query_round_trips():
    tr = Translator("en")
    cfg = P.PathsConfig(fn="quadratic_bowl", kappa=50.0, angle=15, opts=("nesterov", "rmsprop"),
                        start=(0.25, -1.5), steps=500, lr=(("nesterov", 0.004),),
                        hyper=(("rmsprop", "alpha", 0.9),))
    back, notes = P.from_query(P.to_query(cfg, (-1.8, 1.0)), tr)
    assert back == cfg and not notes
    expr = P.PathsConfig(fn="expression", expr="sin(x)*cos(y)", start=(1.0, 1.0))
    assert P.from_query(P.to_query(expr), tr)[0] == expr
    for junk in ({"p_fn": ["x"] * 3}, {"p_start": "1,2,3"}, {"p_opt": ""}, {"p_kappa": "nan"},
                 {"p_hp": "::"}, {"p_lr": ",,,"}, {"p_steps": "1e309"}):
        P.from_query(junk, tr)  # no exception
    clamped, _ = P.from_query({"p_lr": "gd:1e9", "p_steps": "99999"}, tr)
    assert clamped.lr_of("gd") == P.LR_RANGE[1] and clamped.steps == P.STEPS_RANGE[1]


def test_every_optimizer_has_a_label_colour_and_default():
    for lang in ("en", "zh"):
        cat = _catalog(lang)
        for o in P.OPTIMIZERS:
            assert f"paths.opt.{o}" in cat
        for s in P.SURFACES:
            assert f"paths.fn.{s}" in cat and f"paths.fn_desc.{s}" in cat
    assert set(P.COLORS) == set(P.OPTIMIZERS) and len(set(P.COLORS.values())) == len(P.COLORS)
    assert set(P.LR_OPTIMIZERS) == set(P.DEFAULT_LR)
    for opt in P.FIRST_ORDER:
        assert isinstance(P.make_optimizer(opt, 0.1, P.HYPER.get(opt, {})), optim.Optimizer)
