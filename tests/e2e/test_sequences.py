"""The Sequences page in a real browser: it learns while playing, Step is exactly one step, the
inside views are drawn for the stacks that have them, and a bad stack is explained."""

from __future__ import annotations

import pytest

from . import helpers
from .helpers import button, no_crash, step_then_reset, switch_to_chinese, wait_until

APP = "playground/app.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]
SPAN = ".pg-seq"


def chart(key: str, name: str) -> str:
    return f'[data-live-chart="{key}"] [data-chart-id="{name}"]'


def open_page(page, url: str) -> None:
    """Open and wait for the live readout (a playing page is never idle for long, so waiting
    for the script to stop would be flaky on a busy machine)."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator(SPAN).first.wait_for(state="attached", timeout=45_000)


def state(page) -> dict:
    el = page.locator(SPAN).first
    el.wait_for(state="attached")
    get = el.get_attribute
    return {"step": int(get("data-step")), "loss": float(get("data-loss")),
            "metric": get("data-metric"), "dataset": get("data-dataset"),
            "stack": get("data-stack"), "error": get("data-error"), "lstm": get("data-lstm"),
            "attention": get("data-attention"), "playing": get("data-playing")}


def pause(page) -> None:
    helpers.pause(page, until=lambda: state(page)["playing"] == "0")


def heatmaps(page, selector: str) -> list:
    """Shapes of the heatmap traces Plotly drew in a chart (decoded from the typed arrays)."""
    return page.evaluate(
        """(sel) => {
            const div = document.querySelector(sel);
            if (!div || !div._fullData) return [];
            return div._fullData.filter(t => t.type === 'heatmap')
                                .map(t => [t.z.length, t.z[0].length]);
        }""", selector)


def test_page_loads_plays_and_the_loss_falls(page, app_url, st_e2e):
    open_page(page, app_url + "/sequences")
    first = state(page)
    assert first["dataset"] == "sine" and first["stack"] == "lstm:16:0" and first["error"] == "0"
    for key, name in (("seq-curves", "loss"), ("seq-curves", "grad_norms"),
                      ("seq-example", "input"), ("seq-example", "output"),
                      ("seq-inside", "gates"), ("seq-inside", "gradient")):
        page.locator(f"{chart(key, name)} .main-svg").first.wait_for()
    later = wait_until(lambda: (s := state(page))["step"] > first["step"] + 60 and s,
                       timeout=40)
    assert later["loss"] < first["loss"]
    st_e2e.screenshot(page, "sequences-playing")
    no_crash(page)


def test_step_advances_exactly_one_step(page, app_url, st_e2e):
    open_page(page, app_url + "/sequences?s_ds=parity")
    pause(page)
    step_then_reset(page, lambda: state(page)["step"])
    st_e2e.screenshot(page, "sequences-step")
    no_crash(page)


def test_attention_heat_map_and_lstm_gates_are_drawn(page, app_url, st_e2e):
    open_page(page, app_url + "/sequences?s_ds=next_char"
                              "&s_stack=embedding:8,lstm:16:1,attention:12:1,flatten")
    s = state(page)
    assert (s["lstm"], s["attention"], s["error"]) == ("1", "1", "0")
    gates = chart("seq-inside", "gates")
    attention = chart("seq-inside", "attention")
    page.locator(f"{gates} .main-svg").first.wait_for()
    page.locator(f"{attention} .main-svg").first.wait_for()
    assert wait_until(lambda: heatmaps(page, gates)) == [[16, 12]] * 4  # units × time, 4 maps
    assert wait_until(lambda: heatmaps(page, attention)) == [[12, 12]]  # time × time
    page.locator(attention).scroll_into_view_if_needed()
    st_e2e.screenshot(page, "sequences-attention-gates")
    # a stack without LSTM or attention draws neither
    open_page(page, app_url + "/sequences?s_ds=sine&s_stack=flatten,dense:16:tanh")
    page.locator(f"{chart('seq-example', 'input')} .main-svg").first.wait_for()
    s = state(page)
    assert (s["lstm"], s["attention"]) == ("0", "0")
    assert page.locator(gates).count() == 0 and page.locator(attention).count() == 0
    no_crash(page)


def test_a_bad_stack_shows_the_message_and_training_goes_on(page, app_url, st_e2e):
    open_page(page, app_url + "/sequences")
    page.locator(f"{chart('seq-curves', 'loss')} .main-svg").first.wait_for()
    button(page, "Add").click()  # a second LSTM after one that returns a vector
    box = page.locator(".st-key-seq_stack_error")
    box.wait_for(timeout=30_000)
    text = box.inner_text()
    assert "cannot be built" in text and "return sequences" in text and "(16,)" in text
    bad = wait_until(lambda: (s := state(page))["error"] == "1" and s)
    assert bad["stack"] == "lstm:16:0"  # the previous network keeps training
    wait_until(lambda: state(page)["step"] > bad["step"] + 20)
    assert page.locator(f"{chart('seq-curves', 'loss')} .main-svg").first.is_visible()
    box.scroll_into_view_if_needed()
    st_e2e.screenshot(page, "sequences-bad-stack")
    no_crash(page)


def test_switching_language_keeps_the_experiment(page, app_url, st_e2e):
    open_page(page, app_url + "/sequences?s_ds=count_ones&s_lr=0.003")
    pause(page)
    before = state(page)
    assert before["dataset"] == "count_ones"
    switch_to_chinese(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    assert "序列：记忆与注意力" in text and "学习率" in text
    assert page.get_by_role("combobox", name="任务").input_value() == "数出 1 的个数"
    after = state(page)
    assert (after["step"], after["dataset"], after["stack"]) == \
        (before["step"], "count_ones", before["stack"])
    wait_until(lambda: "lang=zh" in page.url)
    assert "s_ds=count_ones" in page.url and "s_lr=0.003" in page.url
    page.locator(f"{chart('seq-curves', 'loss')} .main-svg").first.wait_for()
    st_e2e.screenshot(page, "sequences-chinese")
    no_crash(page)
