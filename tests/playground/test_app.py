"""The whole app through streamlit.testing (no browser): every preset, both languages."""

from __future__ import annotations

import pytest
from apptest import key, open_app, open_tab
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from playground import presets


def readout(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.get("html")])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_app_opens_on_the_default_experiment(lang):
    at = open_app(lang=lang)
    assert not at.exception
    assert at.session_state["lang"] == lang
    assert "pg-counter" in readout(at)
    assert at.title[0].value == ("Watch a neural network learn" if lang == "en"
                                 else "看神经网络如何学习")
    at.run()  # a second run renders the page too
    assert not at.exception and at.title


@pytest.mark.parametrize("preset", presets.keys())
def test_every_preset_loads_and_trains(preset):
    at = open_app()
    at.selectbox(key=key(at, "w_preset")).select(preset).run()
    at.button(key="b_preset").click().run()
    assert not at.exception, at.exception
    net = at.session_state["net"]
    assert net["exp"] == presets.get(preset).experiment
    at.button(key="b_epoch").click().run()
    assert not at.exception
    assert net["trainer"].step_count > 0


def test_every_preset_in_chinese():
    at = open_app(lang="zh")
    for preset in presets.keys():
        at.selectbox(key=key(at, "w_preset")).select(preset).run()
        at.button(key="b_preset").click().run()
        assert not at.exception, (preset, at.exception)
        assert any(presets.get(preset).text("zh")[:6] in c.value for c in at.caption)


def test_controls_change_the_experiment_and_bad_combinations_are_explained():
    at = open_app()
    net = at.session_state["net"]
    at.button(key="b_play").click().run()  # pause
    at.button(key="b_step").click().run()
    assert net["trainer"].step_count >= 1
    old_trainer = net["trainer"]
    open_tab(at, "training")
    at.select_slider(key=key(at, "w_lr")).set_value(0.1).run()
    assert net["exp"].lr == 0.1 and net["trainer"] is old_trainer  # no reset for lr
    open_tab(at, "data")
    at.selectbox(key=key(at, "w_dataset")).select("circle").run()
    assert net["exp"].dataset == "circle" and net["trainer"] is not old_trainer
    assert any("restarted" in i.value for i in at.info)
    good = net["exp"]
    open_tab(at, "layers")
    at.selectbox(key=key(at, "w_output_activation")).select("softmax").run()
    assert not at.exception
    assert any("softmax" in e.value for e in at.error)
    assert net["exp"] == good  # the last valid experiment is kept
    assert at.query_params["ds"] in ("circle", ["circle"])


def test_malformed_link_falls_back_with_a_visible_note():
    at = open_app(ds="nope", lr="fast")
    assert not at.exception
    notes = " ".join(w.value for w in at.warning)
    assert "ds" in notes and "lr" in notes
    assert at.session_state["net"]["exp"].dataset == "spiral"


def test_reset_returns_to_step_zero_and_uploading_junk_is_refused():
    at = open_app()
    net = at.session_state["net"]
    at.button(key="b_epoch").click().run()
    assert net["trainer"].step_count > 0
    at.button(key="b_reset").click().run()
    assert net["trainer"].step_count == 0


def test_only_the_open_settings_tab_is_built_and_switching_keeps_every_setting():
    at = open_app(lr="0.1", ds="xor")
    keys = {w.key for w in at.main if getattr(w, "key", None)}
    assert key(at, "w_dataset") in keys  # the Data tab opens first
    assert key(at, "w_lr") not in keys and key(at, "w_n_layers") not in keys
    open_tab(at, "training")
    assert at.select_slider(key=key(at, "w_lr")).value == 0.1
    assert not any(w.key == key(at, "w_dataset") for w in at.selectbox)
    at.select_slider(key=key(at, "w_lr")).set_value(0.3).run()
    open_tab(at, "data")
    open_tab(at, "training")
    net = at.session_state["net"]
    assert net["exp"].lr == 0.3 and net["exp"].dataset == "xor"
    assert at.select_slider(key=key(at, "w_lr")).value == 0.3
    at.session_state["lang"] = "zh"  # the open tab survives a language switch
    at.run()
    assert not at.exception
    assert at.select_slider(key=key(at, "w_lr")).value == 0.3
    assert net["exp"].lr == 0.3


def test_files_and_share_are_built_only_when_opened():
    at = open_app()
    assert not at.get("download_button")
    at.session_state[key(at, "x_files")] = True
    at.session_state[key(at, "x_share")] = True
    at.run()
    assert not at.exception
    assert len(at.get("download_button")) == 2
    assert any(t.value.startswith("?") for t in at.text)  # the link to share
    at.session_state["lang"] = "zh"  # they stay open in the other language
    at.run()
    assert not at.exception
    assert len(at.get("download_button")) == 2


def test_a_setting_changed_in_a_tab_survives_a_visit_to_another_page():
    at = open_app()
    open_tab(at, "training")
    at.select_slider(key=key(at, "w_lr")).set_value(0.3).run()
    at._page_hash = calc_hash("paths")
    at.run()
    at._page_hash = calc_hash("network")
    at.run()
    assert not at.exception
    assert at.session_state["net"]["exp"].lr == 0.3
    assert at.select_slider(key=key(at, "w_lr")).value == 0.3
