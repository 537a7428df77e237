"""The lessons: complete data in both languages, and the Lessons page through streamlit.testing."""

from __future__ import annotations

import re

import numpy as np
import pytest
from apptest import key as k
from apptest import open_app
from streamlit.testing.v1 import AppTest

from playground import builder, lessons, presets
from playground.i18n import LANGUAGES, Translator, catalog
from playground.views import lessons as page

COURSE = ("derivatives", "shapes", "learning_rate", "momentum", "adaptive", "activations",
          "overfitting", "landscapes")


# -- data -------------------------------------------------------------------------------------
def test_at_least_eight_lessons_in_course_order():
    assert lessons.keys() == COURSE
    assert all(len(lesson.steps) >= 2 for lesson in lessons.LESSONS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_exists_and_is_not_english_in_chinese(lang):
    cat = catalog(lang)
    for key in [*lessons.text_keys(), "nav.lessons"]:
        assert cat.get(key, "").strip(), (lang, key)
    if lang == "zh":
        for key in lessons.text_keys():
            assert re.search(r"[\u4e00-\u9fff]", cat[key]), key


def test_catalogs_have_the_same_keys_and_placeholders():
    en = {k: v for k, v in catalog("en").items() if k.startswith("lesson.")}
    zh = {k: v for k, v in catalog("zh").items() if k.startswith("lesson.")}
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key


def test_references_exist():
    used = set()
    for lesson in lessons.LESSONS:
        assert lesson.question("en") != lesson.question_key
        for step in lesson.steps:
            if step.preset:
                assert step.preset in presets.keys(), (lesson.key, step.preset)
                used.add(step.preset)
            assert step.link in (None, *lessons.LINKS)
            assert step.panel in (None, *lessons.PANELS)
    assert "gradcheck" in [s.panel for s in lessons.get("derivatives").steps]
    assert "shapes" in [s.panel for s in lessons.get("shapes").steps]
    assert used >= {"lr_too_large", "momentum_spiral", "adam_vs_sgd", "sigmoid_vanishing",
                    "overfit", "overfit_l2"}
    with pytest.raises(KeyError):
        lessons.get("nope")


def test_gradient_check_panel_numbers():
    singles, tensors = page.gradcheck_tables(Translator("en"))
    assert len(singles) == page.GRADCHECK_ROWS
    for row in singles:
        assert abs(float(row["analytic (backprop)"]) - float(row["numerical (±h)"])) < 1e-8
    assert [r["tensor"] for r in tensors] == ["dense_0/W", "dense_0/b", "dense_1/W", "dense_1/b"]
    assert [r["shape"] for r in tensors] == ["2×3", "3", "3×1", "1"]
    assert all(float(r["relative error"]) < 1e-7 for r in tensors)


def test_shape_rows_follow_the_model():
    exp = presets.get("dropout").experiment
    model = builder.build_model(exp)
    rows = page.shape_rows(model, Translator("en"))
    assert len(rows) == len(model.layers)
    first = rows[0]
    assert first["input"] == "(n, 2)" and first["W"] == "(2, 32)"
    assert first["b → broadcast"] == "(32,) → (n, 32)" and first["output"] == "(n, 32)"
    drop = next(r for r in rows if "Dropout" in r["layer"])
    assert drop["W"] == "—" and drop["input"] == drop["output"]
    assert rows[-1]["output"] == "(n, 1)"
    # every layer's output is the next one's input
    assert all(a["output"] == b["input"] for a, b in zip(rows, rows[1:], strict=False))


# -- the page ---------------------------------------------------------------------------------
def open_lessons(lang: str = "en") -> AppTest:
    return open_app("lessons", lang=lang)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.caption, *at.subheader, *at.info])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_renders_every_lessons_first_step(lang):
    at = open_lessons(lang)
    assert not at.exception, at.exception
    assert at.title[0].value == ("Guided lessons" if lang == "en" else "引导式课程")
    for key in lessons.keys():
        lesson = lessons.get(key)
        at.selectbox(key=k(at, "w_lesson")).select(key).run()
        assert not at.exception, (key, at.exception)
        shown = text(at)
        assert lesson.step_text(0, lang)[:30] in shown, key
        assert lesson.question(lang)[:30] in shown, key
        assert at.button(key="b_lesson_prev").disabled
        if lesson.steps[0].latex:
            assert lesson.steps[0].latex in at.latex[0].value


def test_step_navigation_and_panels():
    at = open_lessons("en")
    lesson = lessons.get("derivatives")
    assert "Step 1 of 4" in at.get("progress")[0].proto.text
    at.button(key="b_lesson_next").click().run()
    at.button(key="b_lesson_next").click().run()
    assert not at.exception
    assert "Step 3 of 4" in at.get("progress")[0].proto.text
    assert lesson.step_text(2)[:30] in text(at)
    assert len(at.dataframe) == 2  # analytic vs numeric, and the error per tensor
    at.button(key="b_lesson_prev").click().run()
    assert "Step 2 of 4" in at.get("progress")[0].proto.text
    # another lesson keeps its own step; coming back restores this one
    at.selectbox(key=k(at, "w_lesson")).select("shapes").run()
    at.button(key="b_lesson_next").click().run()
    assert not at.exception
    rows = at.dataframe[0].value
    net = at.session_state["net"]
    assert len(rows) == len(net["trainer"].model.layers)
    at.selectbox(key=k(at, "w_lesson")).select("derivatives").run()
    assert "Step 2 of 4" in at.get("progress")[0].proto.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_load_this_experiment_adopts_the_preset(lang):
    at = open_lessons(lang)
    at.selectbox(key=k(at, "w_lesson")).select("learning_rate").run()
    at.button(key="b_lesson_next").click().run()  # step 2: learning rate too large
    assert not at.exception
    at.button(key="b_lesson_load").click().run()
    assert not at.exception, at.exception
    net = at.session_state["net"]
    assert net["exp"] == presets.get("lr_too_large").experiment
    assert net["trainer"].model.n_params == builder.build_model(net["exp"]).n_params
    assert at.session_state[k(at, "w_preset")] == "lr_too_large"
    # switch_page took us to the Network page, which shows the preset in its widgets
    assert at.title[0].value == ("Watch a neural network learn" if lang == "en"
                                 else "看神经网络如何学习")
    assert at.session_state[k(at, "w_lr")] == 10.0
    assert np.isfinite(net["trainer"].model.params).all()
