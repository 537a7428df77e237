"""The Images page through streamlit.testing (no browser): both languages, links, the builder."""

from __future__ import annotations

from functools import partial

import apptest
import numpy as np
import pytest
from apptest import key, qp
from streamlit.testing.v1 import AppTest

from playground import images_build as B
from playground import stack
from playground.i18n import Translator
from playground.images_config import DEFAULT_STACK, PRESETS

SMALL_CNN = PRESETS["small_cnn"]


open_page = partial(apptest.open_page, "images")
catalog = partial(apptest.catalog, "images")


def sess(at: AppTest) -> dict:
    return at.session_state["img"]


def marker(at: AppTest) -> str:
    return next(m.value for m in [*at.markdown, *at.get("html")] if "pg-images" in m.value)


def uids(at: AppTest) -> list[int]:
    return [r["uid"] for r in sess(at)["rows"]]


def pause(at: AppTest) -> None:
    if sess(at)["playing"]:
        at.button(key="ib_play").click().run()


def no_problem(at: AppTest) -> None:
    assert not at.exception, at.exception


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_in_both_languages(lang):
    cat = catalog(lang)
    at = open_page(lang)
    no_problem(at)
    assert at.title[0].value == cat["img.title"]
    assert not at.warning and not at.error
    s = sess(at)
    assert s["cfg"].stack == DEFAULT_STACK and s["trainer"].step_count > 0  # it plays
    table = at.table[0].value
    cols = list(table.columns)
    assert cols == [cat["img.col.pos"], cat["img.col.layer"], cat["img.col.shape"],
                    cat["img.col.params"]]
    assert list(table[cat["img.col.shape"]]) == ["(8, 8, 1)", "(8, 8, 8)", "(4, 4, 8)", "(128,)",
                                                 "(10,)"]
    assert list(table[cat["img.col.params"]]) == ["", "80", "0", "0", "1,290"]
    assert table[cat["img.col.layer"]].iloc[-1] == cat["img.col.output"]
    m = marker(at)
    assert 'data-error="0"' in m and f'data-stack="{SMALL_CNN}"' in m
    assert any(cat["img.output_row"].format(n=10)[:12] in md.value for md in at.markdown)
    if lang == "zh":
        assert qp(at, "lang") == "zh"
    # every control group renders and steps work
    pause(at)
    step = s["trainer"].step_count
    at.button(key="ib_step").click().run()
    assert s["trainer"].step_count == step + 1
    at.button(key="ib_epoch").click().run()
    assert s["trainer"].step_count == -(-s["data"].X_train.shape[0] // 32)  # one whole epoch
    at.button(key="ib_reset").click().run()
    assert s["trainer"].step_count == 0
    no_problem(at)


def test_shape_mismatch_shows_the_message_and_keeps_training():
    at = open_page()
    pause(at)
    s = sess(at)
    trainer, good = s["trainer"], s["cfg"]
    flatten = uids(at)[2]
    at.button(key=f"ib_up_{flatten}").click().run()
    at.button(key=f"ib_up_{flatten}").click().run()  # flatten, conv2d, maxpool2d
    no_problem(at)
    assert [r["kind"] for r in s["rows"]] == ["flatten", "conv2d", "maxpool2d"]
    expected = stack.message(pytest.raises(
        stack.StackError, stack.shapes, stack.from_text("flatten,conv2d:8:3:1:same:relu", "image"),
        (8, 8, 1), "image").value, Translator("en"))
    errors = " ".join(e.value for e in at.error)
    assert expected in errors and "(64,)" in errors
    assert s["cfg"] == good and s["trainer"] is trainer  # nothing lost
    assert 'data-error="1"' in marker(at)
    assert "✗" in list(at.table[0].value.iloc[:, 2])
    before = trainer.step_count
    at.button(key="ib_step").click().run()  # the old network still trains
    assert trainer.step_count == before + 1
    # fix it: Flatten back to the end -> a valid stack again (the same one: no restart)
    at.button(key=f"ib_down_{flatten}").click().run()
    at.button(key=f"ib_down_{flatten}").click().run()
    no_problem(at)
    assert not at.error and s["trainer"] is trainer and 'data-error="0"' in marker(at)


def test_builder_edits_rebuild_with_a_notice_and_follow_the_url():
    at = open_page()
    pause(at)
    s = sess(at)
    first = s["trainer"]
    at.button(key="ib_add").click().run()  # + Dense(32, relu)
    no_problem(at)
    assert s["cfg"].stack_text() == SMALL_CNN + ",dense:32:relu"
    assert s["trainer"] is not first and s["trainer"].step_count == 0
    assert any("restarts" in i.value or "starts" in i.value for i in at.info)
    assert qp(at, "i_stack") == SMALL_CNN + ",dense:32:relu"
    new = uids(at)[-1]
    at.number_input(key=key(at, f"iw_{new}_dense_units")).set_value(16).run()
    at.selectbox(key=key(at, f"iw_{new}_dense_activation")).select("tanh").run()
    assert s["cfg"].stack[-1] == stack.make("dense", units=16, activation="tanh")
    conv = uids(at)[0]
    at.number_input(key=key(at, f"iw_{conv}_conv2d_filters")).set_value(4).run()
    at.selectbox(key=key(at, f"iw_{conv}_conv2d_padding")).select("valid").run()
    assert s["cfg"].stack[0] == stack.make("conv2d", filters=4, padding="valid")
    shapes = list(at.table[0].value.iloc[:, 2])
    assert shapes[1:4] == ["(6, 6, 4)", "(3, 3, 4)", "(36,)"]
    # change a layer's kind: its settings take that kind's defaults
    pool = uids(at)[1]
    at.selectbox(key=key(at, f"iw_kind_{pool}")).select("dropout").run()
    assert s["cfg"].stack[1] == stack.make("dropout")
    at.button(key=f"ib_del_{pool}").click().run()
    assert [sp.kind for sp in s["cfg"].stack] == ["conv2d", "flatten", "dense"]
    # presets replace the whole stack
    at.selectbox(key=key(at, "iw_preset")).select("dense").run()
    at.button(key="ib_preset").click().run()
    no_problem(at)
    assert s["cfg"].stack_text() == PRESETS["dense"]
    assert at.session_state[key(at, f"iw_kind_{uids(at)[1]}")] == "dense"
    # live settings keep the network; the optimizer swaps with a notice
    trainer = s["trainer"]
    at.select_slider(key=key(at, "iw_lr")).set_value(0.003).run()
    at.select_slider(key=key(at, "iw_bs")).set_value(64).run()
    assert s["trainer"] is trainer and trainer.model.optimizer.lr == 0.003
    assert trainer.batch_size == 64 and qp(at, "i_lr") == "0.003" and qp(at, "i_bs") == "64"
    at.selectbox(key=key(at, "iw_opt")).select("sgd").run()
    assert s["trainer"] is trainer and s["cfg"].optimizer == "sgd" and at.info
    # data changes restart too
    at.slider(key=key(at, "iw_train")).set_value(60).run()
    assert s["trainer"] is not trainer and s["data"].X_test.shape[0] == 719
    no_problem(at)


def test_links_round_trip_and_bad_values_fall_back_with_notes():
    text = "conv2d:4:5:1:valid:tanh,maxpool2d:2,flatten"
    at = open_page(i_stack=text, i_opt="rmsprop", i_lr="0.003", i_bs="64", i_seed="3",
                   i_n="600", i_img="5")
    no_problem(at)
    assert not at.warning
    cfg = sess(at)["cfg"]
    assert (cfg.stack_text(), cfg.optimizer, cfg.lr, cfg.batch_size, cfg.seed, cfg.n_samples,
            cfg.image) == (text, "rmsprop", 0.003, 64, 3, 600, 5)
    assert qp(at, "i_stack") == text and qp(at, "i_n") == "600"
    assert at.number_input(key=key(at, "iw_img")).value == 5
    assert [r["kind"] for r in sess(at)["rows"]] == ["conv2d", "maxpool2d", "flatten"]

    at = open_page(i_stack="conv2d:8:3,warp:9", i_lr="fast", i_data="mnist")
    no_problem(at)
    notes = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown-escaped
    for k in ("i_stack", "i_lr", "i_data", "warp"):
        assert k in notes, k
    assert sess(at)["cfg"].stack == DEFAULT_STACK and sess(at)["cfg"].dataset == "digits"
    assert qp(at, "i_stack") is None  # the page's own link is clean again


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_link_whose_layers_do_not_fit_starts_with_the_small_cnn(lang):
    at = open_page(lang, i_stack="dense:32:relu")
    no_problem(at)
    cat = catalog(lang)
    notes = " ".join(w.value for w in at.warning).replace("\\", "")
    assert cat["img.note.stack_unfit"].split("{")[0].strip() in notes
    assert "Flatten" in notes
    assert sess(at)["cfg"].stack == DEFAULT_STACK


def test_switching_language_keeps_the_experiment_and_the_draft():
    at = open_page("en", i_lr="0.003")
    pause(at)
    at.button(key="ib_epoch").click().run()
    s = sess(at)
    trainer, step, cfg = s["trainer"], s["trainer"].step_count, s["cfg"]
    flatten = uids(at)[2]
    at.button(key=f"ib_up_{flatten}").click().run()  # an invalid draft, on purpose
    at.session_state["lang"] = "zh"
    at.run()
    no_problem(at)
    assert at.title[0].value == catalog("zh")["img.title"]
    assert s["trainer"] is trainer and trainer.step_count == step and s["cfg"] == cfg
    assert [r["kind"] for r in s["rows"]] == ["conv2d", "flatten", "maxpool2d"]
    assert at.select_slider(key=key(at, "iw_lr")).value == 0.003
    assert any("MaxPool2D" in e.value for e in at.error)  # explained in Chinese
    assert qp(at, "lang") == "zh" and qp(at, "i_lr") == "0.003"


def test_mnist_is_offered_only_when_configured(monkeypatch, tmp_path):
    monkeypatch.delenv(B.MNIST_ENV, raising=False)
    at = open_page()
    assert at.selectbox(key=key(at, "iw_data")).options == [
        catalog("en")["img.dataset.digits"]]
    assert any(B.MNIST_ENV in c.value for c in at.caption)
    # a file that is not MNIST: offered, but choosing it explains and keeps the digits
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"junk")
    monkeypatch.setenv(B.MNIST_ENV, str(bad))
    at = open_page()
    at.selectbox(key=key(at, "iw_data")).select("mnist").run()
    no_problem(at)
    assert any(B.MNIST_ENV in e.value for e in at.error)
    assert sess(at)["cfg"].dataset == "digits"
    assert at.session_state[key(at, "iw_data")] == "digits"
    # a real (tiny, fake) MNIST file: 28×28 images, the table follows
    good = tmp_path / "tiny.npz"
    rng = np.random.default_rng(0)
    np.savez(good, x_train=rng.integers(0, 256, (600, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 600).astype(np.uint8),
             x_test=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, 100).astype(np.uint8))
    monkeypatch.setenv(B.MNIST_ENV, str(good))
    at = open_page(i_data="mnist", i_n="500")
    no_problem(at)
    assert not at.warning
    s = sess(at)
    assert s["cfg"].dataset == "mnist" and s["data"].input_shape == (28, 28, 1)
    assert list(at.table[0].value.iloc[:, 2])[:2] == ["(28, 28, 1)", "(28, 28, 8)"]
    assert 'data-dataset="mnist"' in marker(at)


def test_a_network_too_big_is_refused_and_the_old_one_kept():
    big = "conv2d:64:3:1:same:relu,flatten,dense:256:relu"  # 4096 · 256 weights > 1,000,000
    at = open_page(i_stack=big)
    no_problem(at)
    assert any("1,052,042" in w.value.replace("\\", "") for w in at.warning)
    assert sess(at)["cfg"].stack == DEFAULT_STACK
    pause(at)
    s = sess(at)
    good = s["cfg"]
    conv, pool = uids(at)[0], uids(at)[1]
    at.button(key=f"ib_del_{pool}").click().run()
    at.button(key="ib_add").click().run()
    new = uids(at)[-1]
    at.number_input(key=key(at, f"iw_{new}_dense_units")).set_value(256).run()
    at.number_input(key=key(at, f"iw_{conv}_conv2d_filters")).set_value(64).run()
    no_problem(at)
    assert any("1,052,042" in e.value for e in at.error)
    assert s["cfg"].stack != good.stack  # edits that fit were adopted; the last one was not
    assert s["cfg"].stack_text() == "conv2d:8:3:1:same:relu,flatten,dense:256:relu"
    at.select_slider(key=key(at, "iw_lr")).set_value(0.003).run()  # live settings still apply
    assert s["cfg"].lr == 0.003 and s["trainer"].model.optimizer.lr == 0.003
    assert 'data-error="1"' in marker(at)
