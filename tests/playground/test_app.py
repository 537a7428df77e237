"""The whole app through streamlit.testing (no browser): every preset, both languages."""

from __future__ import annotations

import pytest
from apptest import key, open_app
from streamlit.testing.v1 import AppTest

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
    at.select_slider(key=key(at, "w_lr")).set_value(0.1).run()
    assert net["exp"].lr == 0.1 and net["trainer"] is old_trainer  # no reset for lr
    at.selectbox(key=key(at, "w_dataset")).select("circle").run()
    assert net["exp"].dataset == "circle" and net["trainer"] is not old_trainer
    assert any("restarted" in i.value for i in at.info)
    good = net["exp"]
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
