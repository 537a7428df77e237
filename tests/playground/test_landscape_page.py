"""The Loss landscape page through streamlit.testing (no browser), in English and Chinese."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from apptest import key as k
from apptest import open_app
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import engine as eg
from playground import builder
from playground.views import landscape as page


def open_landscape(lang: str = "en", **query) -> AppTest:
    """Land directly on /landscape (no Network page visited first), like a shared link."""
    return open_app("landscape", lang=lang, **query)


def charts(at: AppTest) -> dict[str, dict]:
    """live_charts elements by key -> {chart id: chart payload}."""
    out = {}
    for el in at.get("bidi_component"):
        data = json.loads(el.proto.json)
        out[data["key"]] = {c["id"]: c for c in data["charts"]}
    return out


def trace(chart: dict, uid: str) -> dict:
    return next(t for t in chart["data"] if t.get("uid") == uid)


def decode(spec: dict) -> np.ndarray:
    """A plotly typed-array spec (as the live chart sends it) back to numbers."""
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])


def readout(at: AppTest) -> dict:
    html = next(m.value for m in at.markdown if "pg-landscape" in m.value)
    attrs = dict(part.split('="') for part in html.split(" ")[2:] if '="' in part)
    return {name: value.split('"')[0] for name, value in attrs.items()}


def shown(at: AppTest) -> page.Landscape:
    ls = at.session_state[page.KEY]
    return ls["cache"][ls["shown"]]


def train(at: AppTest, steps: int = 60) -> AppTest:
    at.session_state["net"]["trainer"].step(steps)
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_landing_directly_computes_the_default_landscape(lang):
    at = open_landscape(lang)
    assert not at.exception, at.exception
    assert at.session_state["lang"] == lang
    assert "net" in at.session_state  # the network was created for this page
    assert at.title[0].value == ("The loss landscape of your network" if lang == "en"
                                 else "你的网络的损失景观")
    c = charts(at)
    assert set(c["ls-plane"]) == {"contour", "surface"} and set(c["ls-extra"]) == {"line"}
    contour = c["ls-plane"]["contour"]
    assert trace(contour, "surface")["z"]["shape"] == "41, 41"
    assert contour["layout"]["title"]["text"] == ("Loss landscape (contour)" if lang == "en"
                                                  else "损失景观（等高线）")
    axis = contour["layout"]["xaxis"]["title"]["text"]
    assert axis == ("Random direction 1 (filter-normalised)" if lang == "en"
                    else "随机方向 1（滤波器归一化）")
    assert c["ls-plane"]["surface"]["layout"]["scene"]["zaxis"]["title"]["text"] == \
        ("Loss" if lang == "en" else "损失")
    r = readout(at)
    assert r["data-shown"] == "1" and r["data-kind"] == "random" and r["data-path"] == "1"
    assert not at.get("progress")  # finished within the run


def test_trained_network_shows_its_trajectory_and_cached_views():
    at = open_landscape()
    at.button(key="b_ls_recompute").click().run()  # nothing moved: the cached landscape stays
    first = shown(at)
    at = train(at)
    assert shown(at) is first  # training alone never recomputes (the landscape stays fixed)
    assert "step 60" in " ".join(c.value for c in at.caption)
    at.button(key="b_ls_recompute").click().run()
    assert not at.exception
    result = shown(at)
    assert result is not first and result.step == 60
    r = readout(at)
    assert int(r["data-path"]) > 5 and r["data-step"] == "60"
    path = trace(charts(at)["ls-plane"]["contour"], "trajectory")
    assert path["x"]["dtype"] == "f4"
    # switching views and directions back and forth reuses the cache
    at.segmented_control(key=k(at, "ls_view")).set_value("contour").run()
    assert set(charts(at)["ls-plane"]) == {"contour"} and shown(at) is result
    at.segmented_control(key=k(at, "ls_res")).set_value(21).run()
    small = shown(at)
    assert small.surface.loss.shape == (21, 21)
    at.segmented_control(key=k(at, "ls_res")).set_value(41).run()
    assert shown(at) is result
    at.toggle(key=k(at, "ls_log")).set_value(True).run()
    z = trace(charts(at)["ls-plane"]["contour"], "surface")
    assert shown(at) is result and "log" in json.dumps(
        charts(at)["ls-plane"]["contour"]["layout"]) + z["colorbar"]["title"]["text"]


def test_pca_directions_need_a_trajectory_then_label_variance():
    at = open_landscape()
    at.segmented_control(key=k(at, "ls_dirs")).set_value("pca").run()
    assert not at.exception
    assert any("trajectory" in w.value for w in at.warning)
    assert readout(at)["data-shown"] == "0"
    at = train(at, 80)
    at.button(key="b_ls_recompute").click().run()
    assert not at.exception and not at.warning
    result = shown(at)
    assert result.kind == "pca" and sum(result.info["ratio"]) <= 1.0 + 1e-9
    contour = charts(at)["ls-plane"]["contour"]
    assert contour["layout"]["xaxis"]["title"]["text"].startswith("PC1 (")
    assert "% of variance" in contour["layout"]["yaxis"]["title"]["text"]
    # the PCA plane is fitted to the path: the whole trajectory lies inside the grid
    traj = at.session_state["net"]["trainer"].trajectory()
    P = eg.landscape.project(traj, result.center, result.d1, result.d2)
    a, b = result.surface.a, result.surface.b
    assert a[0] <= P[:, 0].min() and P[:, 0].max() <= a[-1]
    assert b[0] <= P[:, 1].min() and P[:, 1].max() <= b[-1]
    assert np.isfinite(result.surface.loss).all()


def test_hessian_directions_in_chinese():
    at = open_landscape("zh")
    at = train(at, 40)
    at.segmented_control(key=k(at, "ls_dirs")).set_value("hessian").run()
    assert not at.exception
    result = shown(at)
    w = result.info["eigenvalues"]
    assert result.kind == "hessian" and w[0] >= w[1]
    norm = np.linalg.norm(result.center)
    assert np.linalg.norm(result.d1) == pytest.approx(norm)  # unit eigenvector × ‖θ‖
    contour = charts(at)["ls-plane"]["contour"]
    assert contour["layout"]["xaxis"]["title"]["text"].startswith("Hessian 特征向量 1（λ = ")
    assert any("曲率" in c.value for c in at.caption)
    assert charts(at)["ls-extra"]["line"]["layout"]["title"]["text"] == \
        "从初始权重到训练后权重的损失"


def test_sharpness_toggle_attaches_a_tracker_and_explains_adam():
    at = open_landscape()
    net = at.session_state["net"]
    at.toggle(key=k(at, "ls_sharp")).set_value(True).run()
    assert not at.exception
    trainer = net["trainer"]
    series = trainer.history.extra["sharpness"]
    assert len(series) == 1  # starts now, not `every` steps later
    notes = " ".join(c.value for c in at.caption)
    assert "2/η" in notes and "Adam" in notes  # the default optimizer is Adam: said in words
    sharp = charts(at)["ls-extra"]["sharpness"]
    assert not [t for t in sharp["data"] if t.get("uid") == "threshold"]
    trainer.step(20)  # every 10 steps by default
    assert len(series) == 3
    # SGD: the 2/η line appears
    exp = net["exp"].replace(optimizer="sgd", lr=0.1)
    builder.swap_optimizer(trainer, exp)
    builder.apply_live_settings(trainer, exp)
    net["exp"] = exp
    at.run()
    thr = trace(charts(at)["ls-extra"]["sharpness"], "threshold")
    assert thr["name"] == "2/η = 20"
    assert any("mini-batches of 10" in c.value for c in at.caption)
    # changing the interval re-attaches; switching off detaches
    at.selectbox(key=k(at, "ls_every")).set_value(5).run()
    n = len(series)
    trainer.step(10)
    assert len(series) == n + 2
    at.toggle(key=k(at, "ls_sharp")).set_value(False).run()
    n = len(series)
    trainer.step(20)
    assert len(trainer.history.extra["sharpness"]) == n
    assert "sharpness" not in charts(at)["ls-extra"]


def test_follow_training_moves_the_marker_not_the_landscape():
    at = open_landscape()
    first = shown(at)
    at.toggle(key=k(at, "ls_follow")).set_value(True).run()  # one frame runs inline
    at.run()
    assert not at.exception
    r = readout(at)
    assert int(r["data-step"]) > 0 and int(r["data-path"]) > 1
    assert shown(at) is first  # the landscape did not move
    assert (float(r["data-a"]), float(r["data-b"])) != (0.0, 0.0)
    # the path drawn (projected snapshot by snapshot, remembered across frames) is the engine's
    # projection of the whole trajectory
    trainer = at.session_state["net"]["trainer"]
    want = eg.landscape.project(trainer.trajectory(), first.center, first.d1, first.d2)
    drawn = trace(charts(at)["ls-plane"]["contour"], "trajectory")
    np.testing.assert_allclose(decode(drawn["x"]), want[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(decode(drawn["y"]), want[:, 1], rtol=1e-5, atol=1e-6)
    assert any("Recompute" in c.value for c in at.caption)
    at.toggle(key=k(at, "ls_follow")).set_value(False).run()
    step = int(readout(at)["data-step"])
    at.run()
    assert int(readout(at)["data-step"]) == step  # paused


def test_cancel_stops_a_job_and_a_stopped_run_resumes(monkeypatch):
    at = open_landscape()
    monkeypatch.setattr(page, "MAX_CHUNKS_PER_RUN", 1)  # as if a click stopped each run
    monkeypatch.setattr(page, "CHUNK_SECONDS", 0.0)  # chunks of MIN_CHUNK points
    at.segmented_control(key=k(at, "ls_res")).set_value(51).run()
    assert not at.exception
    job = at.session_state[page.KEY]["job"]
    assert job is not None and 0 < job["done"] < 51 * 51
    assert at.get("progress") and at.button(key="b_ls_cancel")
    done = job["done"]
    at.run()  # another run carries on from the points already done
    job = at.session_state[page.KEY]["job"]
    assert job is not None and job["done"] > done
    at.button(key="b_ls_cancel").click().run()
    assert not at.exception
    assert at.session_state[page.KEY]["job"] is None
    assert any("Cancelled" in i.value for i in at.info)
    assert readout(at)["data-shown"] == "0"  # nothing half-computed is drawn
    at.run()
    assert at.session_state[page.KEY]["job"] is None  # a cancel is not undone by a rerun
    monkeypatch.setattr(page, "MAX_CHUNKS_PER_RUN", None)
    at.button(key="b_ls_recompute").click().run()
    assert not at.info and shown(at).surface.loss.shape == (51, 51)
    assert readout(at)["data-shown"] == "1"


def test_a_new_network_gets_a_new_landscape_and_language_switch_keeps_settings():
    at = open_landscape()
    at.segmented_control(key=k(at, "ls_res")).set_value(21).run()
    old = shown(at)
    net = at.session_state["net"]
    exp = net["exp"].replace(layers=net["exp"].layers[:1])
    net["trainer"], net["data"] = builder.build_trainer(exp)
    net["exp"] = exp
    at.run()
    assert not at.exception
    new = shown(at)
    assert new is not old and new.center.shape != old.center.shape
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.segmented_control(key=k(at, "ls_res")).value == 21
    assert shown(at) is new
    assert at.title[0].value == "你的网络的损失景观"


def test_navigation_from_the_network_page():
    at = open_app()
    at.button(key="b_epoch").click().run()
    step = at.session_state["net"]["trainer"].step_count
    at._page_hash = calc_hash("landscape")
    at.run()
    assert not at.exception
    r = readout(at)
    assert int(r["data-step"]) >= step and int(r["data-path"]) >= 2


@pytest.mark.parametrize("query", [
    {"layers": "none"},  # no hidden layer: 5 parameters
    {"ds": "reg_plane", "out": "linear", "loss": "mse", "layers": "6:relu"},
    {"layers": "8:tanh:0.3,4:relu", "l2": "0.01", "l1": "0.001"},  # dropout and penalties
], ids=["no-hidden-layer", "regression", "dropout-l1-l2"])
def test_every_direction_on_other_networks(query):
    at = open_landscape(**query)
    at.segmented_control(key=k(at, "ls_res")).set_value(21).run()
    at = train(at, 30)
    for kind in ("random", "pca", "hessian"):
        at.segmented_control(key=k(at, "ls_dirs")).set_value(kind).run()
        at.button(key="b_ls_recompute").click().run()
        assert not at.exception and not at.error, (kind, at.exception, at.error)
        result = shown(at)
        assert result.kind == kind and np.isfinite(result.surface.loss).all()
        assert int(readout(at)["data-path"]) >= 2
    # the landscape's centre is the model's own loss there (penalty included)
    trainer = at.session_state["net"]["trainer"]
    c = result.surface.loss.shape[0] // 2
    assert result.surface.loss[c, c] == pytest.approx(trainer.model.evaluate(
        trainer.X, trainer.y)["loss"], rel=1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the engine's overflow, on purpose
def test_a_diverged_network_is_said_in_words():
    at = open_landscape(ds="reg_plane", out="linear", loss="mse", opt="sgd", lr="10")
    trainer = at.session_state["net"]["trainer"]
    trainer.step(200)
    assert trainer.diverged
    at.toggle(key=k(at, "ls_follow")).set_value(True).run()
    assert not at.exception
    assert any("diverged" in w.value for w in at.warning)
    assert int(readout(at)["data-step"]) == trainer.step_count  # no training while diverged
