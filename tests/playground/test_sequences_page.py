"""The Sequences page through streamlit.testing (no browser): every task in both languages,
links, the layer builder, a stack that does not fit, and the transport buttons."""

from __future__ import annotations

import re
from functools import partial

import apptest
import pytest
from apptest import key, qp
from streamlit.testing.v1 import AppTest

from playground import sequences_config as C

open_page = partial(apptest.open_page, "sequences")
_catalog = partial(apptest.catalog, "sequences")


def sess(at: AppTest) -> dict:
    return at.session_state["seq"]


def marker(at: AppTest) -> dict[str, str]:
    text = next(m.value for m in [*at.markdown, *at.get("html")] if "pg-seq" in m.value)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', text))


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def pause(at: AppTest) -> None:
    if sess(at)["playing"]:
        at.button(key="sb_play").click().run()
    assert not sess(at)["playing"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("dataset", C.DATASETS)
def test_every_task_in_both_languages(dataset, lang):
    cat = _catalog(lang)
    at = open_page(lang, s_ds=dataset)
    assert not at.exception, at.exception
    assert at.title[0].value == cat["seq.title"]
    assert not at.warning and not at.error
    m = marker(at)
    cfg = sess(at)["cfg"]
    assert m["dataset"] == dataset and m["stack"] == C.DATA_DEFAULTS[dataset]["stack"]
    assert m["error"] == "0" and m["lstm"] == "1" and int(m["step"]) >= 1
    assert cfg.dataset == dataset
    table = at.dataframe[0].value
    assert list(table.columns) == [cat["seq.col.layer"], cat["seq.col.shape"],
                                   cat["seq.col.params"]]
    assert len(table) == len(cfg.stack) + 2  # input, the layers, the output layer
    assert table[cat["seq.col.params"]].sum() == sess(at)["trainer"].model.n_params
    assert qp(at, "s_ds") == dataset
    if lang == "zh":
        assert qp(at, "lang") == "zh"
    at.run()  # a second run (the fragment's state kept) draws the page too
    assert not at.exception


def test_choosing_a_task_loads_its_stack_and_says_training_restarted():
    at = open_page()
    old = sess(at)["trainer"]
    at.selectbox(key=key(at, "sw_dataset")).select("next_char").run()
    assert not at.exception, at.exception
    cfg = sess(at)["cfg"]
    assert cfg.dataset == "next_char" and cfg.stack_text == "embedding:8,lstm:32:0"
    assert cfg.seq_len == C.DATA_DEFAULTS["next_char"]["seq_len"]
    assert sess(at)["trainer"] is not old
    assert any("Next character" in i.value for i in at.info)
    assert qp(at, "s_ds") == "next_char"
    assert at.session_state[key(at, "sw_0_kind")] == "embedding"
    assert at.session_state[key(at, "sw_1_units")] == 32


def test_a_bad_link_value_gives_a_note_and_the_default():
    at = open_page(s_lr="fast", s_ds="parity", s_len="abc")
    assert not at.exception
    notes = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "s_lr" in notes and "s_len" in notes and "fast" in notes
    cfg = sess(at)["cfg"]
    assert cfg.dataset == "parity" and cfg.lr == C.SeqConfig.lr
    assert cfg.seq_len == C.DATA_DEFAULTS["parity"]["seq_len"]
    at.run()
    assert not at.warning  # said once


def test_a_link_reproduces_the_experiment():
    at = open_page(s_ds="next_char", s_stack="embedding:8,attention:16:1,flatten", s_lr="0.003",
                   s_clip="1", s_bs="16", s_ex="5")
    assert not at.exception and not at.warning and not at.error
    cfg = sess(at)["cfg"]
    assert cfg.stack_text == "embedding:8,attention:16:1,flatten"
    assert (cfg.lr, cfg.clip, cfg.batch_size, cfg.example) == (0.003, 1.0, 16, 5)
    opt = sess(at)["trainer"].model.optimizer
    assert opt.lr == 0.003 and opt.clip_norm == 1.0
    m = marker(at)
    assert m["attention"] == "1" and m["lstm"] == "0"
    assert qp(at, "s_stack") == "embedding:8,attention:16:1,flatten" and qp(at, "s_ex") == "5"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_mismatching_stack_shows_the_message_and_keeps_training(lang):
    at = open_page(lang)
    pause(at)
    trainer = sess(at)["trainer"]
    at.button(key="sb_step").click().run()
    steps = trainer.step_count
    at.selectbox(key=key(at, "sw_add_kind")).select("lstm").run()
    at.button(key="sb_add").click().run()  # lstm:16:0, lstm:16:0 — the first gives a vector
    assert not at.exception, at.exception
    text = errors(at)
    assert ("return sequences" if lang == "en" else "返回整个序列") in text, text
    assert "(16,)" in text
    assert sess(at)["trainer"] is trainer and trainer.step_count == steps  # nothing lost
    assert sess(at)["cfg"].stack_text == "lstm:16:0"
    assert marker(at)["error"] == "1" and len(sess(at)["draft"]) == 2
    # the fix the message names: return sequences on layer 1
    at.checkbox(key=key(at, "sw_0_return_sequences")).check().run()
    assert not at.exception and not at.error
    assert sess(at)["cfg"].stack_text == "lstm:16:1,lstm:16:0"
    assert sess(at)["trainer"] is not trainer and marker(at)["error"] == "0"
    assert qp(at, "s_stack") == "lstm:16:1,lstm:16:0"


def test_a_link_with_a_stack_that_does_not_fit_shows_why():
    at = open_page(s_ds="sine", s_stack="attention:16:0")
    assert not at.exception
    assert "Flatten" in errors(at)
    assert sess(at)["cfg"].stack_text == "lstm:16:0"  # the default trains meanwhile
    assert [s.kind for s in sess(at)["draft"]] == ["attention"]


def test_rows_move_change_kind_and_go():
    at = open_page(s_stack="lstm:8:1,attention:8:0,flatten")
    assert not at.exception and not at.error
    pause(at)
    at.button(key="sb_down_0").click().run()  # attention, lstm, flatten
    assert [s.kind for s in sess(at)["draft"]] == ["attention", "lstm", "flatten"]
    assert sess(at)["cfg"].stack_text == "attention:8:0,lstm:8:1,flatten"
    at.button(key="sb_remove_2").click().run()  # the LSTM returns a sequence: Dense needs a vector
    assert "Flatten" in errors(at)
    at.selectbox(key=key(at, "sw_1_kind")).select("simplernn").run()  # units kept
    assert not at.exception
    assert [s.text() for s in sess(at)["draft"]] == ["attention:8:0", "simplernn:8:1"]
    at.checkbox(key=key(at, "sw_1_return_sequences")).uncheck().run()
    assert not at.error and sess(at)["cfg"].stack_text == "attention:8:0,simplernn:8:0"
    at.number_input(key=key(at, "sw_0_units")).set_value(4).run()
    assert sess(at)["cfg"].stack_text == "attention:4:0,simplernn:8:0"
    assert marker(at)["attention"] == "1"


def test_presets_load_for_the_current_task():
    at = open_page(s_ds="count_ones")
    at.selectbox(key=key(at, "sw_preset")).select("attention").run()
    at.button(key="sb_preset").click().run()
    assert not at.exception
    assert sess(at)["cfg"].stack_text == "attention:16:0,flatten"
    assert marker(at)["attention"] == "1"
    assert at.info  # the notice


def test_step_epoch_reset_and_live_settings():
    at = open_page()
    pause(at)
    trainer = sess(at)["trainer"]
    before = trainer.step_count
    at.button(key="sb_step").click().run()
    assert trainer.step_count == before + 1 and marker(at)["step"] == str(before + 1)
    at.button(key="sb_epoch").click().run()
    assert trainer.epoch == 1 or trainer.step_count > before + 1
    at.button(key="sb_reset").click().run()
    assert trainer.step_count == 0
    # no reset for the learning rate, clipping and batch size
    at.select_slider(key=key(at, "sw_lr")).set_value(0.003).run()
    at.select_slider(key=key(at, "sw_clip")).set_value(0.5).run()
    at.select_slider(key=key(at, "sw_bs")).set_value(8).run()
    assert sess(at)["trainer"] is trainer
    opt = trainer.model.optimizer
    assert (opt.lr, opt.clip_norm, trainer.batch_size) == (0.003, 0.5, 8)
    assert qp(at, "s_lr") == "0.003" and qp(at, "s_clip") == "0.5"
    # another optimizer keeps the weights; a new seed or length restarts
    w = trainer.model.params.copy()
    at.selectbox(key=key(at, "sw_opt")).select("rmsprop").run()
    assert sess(at)["trainer"] is trainer and (trainer.model.params == w).all()
    assert type(trainer.model.optimizer).__name__ == "RMSprop"
    at.slider(key=key(at, "sw_seq_len")).set_value(12).run()
    assert sess(at)["trainer"] is not trainer and sess(at)["data"].seq_len == 12
    assert any("restarted" in i.value for i in at.info)


def test_switching_language_keeps_the_experiment():
    at = open_page(s_ds="parity", s_lr="0.003")
    pause(at)
    at.button(key="sb_step").click().run()
    trainer = sess(at)["trainer"]
    step = trainer.step_count
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert sess(at)["trainer"] is trainer and trainer.step_count == step
    assert at.title[0].value == _catalog("zh")["seq.title"]
    assert at.session_state["sw_lr.zh"] == 0.003 and at.session_state["sw_dataset.zh"] == "parity"
    assert marker(at)["step"] == str(step)
