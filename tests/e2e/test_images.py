"""The Images page in a real browser: it learns digits live; the builder explains mistakes."""

from __future__ import annotations

import time

import pytest

from .helpers import button, no_crash, pause, step_then_reset, switch_to_chinese, wait_until

APP = "playground/app.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]
SPAN = ".pg-images"
CHARTS = {"img-curves": ("loss", "accuracy"), "img-preds": ("samples", "confusion"),
          "img-inside": ("filters", "maps")}


def state(page) -> dict:
    el = page.locator(SPAN).first
    el.wait_for(state="attached")
    acc = el.get_attribute("data-acc")
    return {"step": int(el.get_attribute("data-step")),
            "epoch": int(el.get_attribute("data-epoch")),
            "acc": float(acc) if acc not in (None, "nan", "None") else 0.0,
            "stack": el.get_attribute("data-stack"), "error": el.get_attribute("data-error"),
            "lr": float(el.get_attribute("data-lr"))}


def charts_drawn(page) -> None:
    for key, names in CHARTS.items():
        for name in names:
            page.locator(f'[data-live-chart="{key}"] [data-chart-id="{name}"] .main-svg') \
                .first.wait_for()


def test_page_loads_plays_and_learns_the_digits(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/images")
    charts_drawn(page)
    first = state(page)
    assert first["stack"] == "conv2d:8:3:1:same:relu,maxpool2d:2,flatten"
    later = wait_until(lambda: (s := state(page))["step"] > first["step"] + 10
                       and s["epoch"] >= 1 and s["acc"] > 0.3 and s, timeout=40)
    assert later["acc"] > 0.3  # chance is 0.1
    # the confusion matrix is drawn with numbers in its cells
    cells = page.locator('[data-live-chart="img-preds"] [data-chart-id="confusion"] .heatmap-label')
    assert cells.count() >= 10
    st_e2e.screenshot(page, "images-playing")
    pause(page)
    frozen = state(page)
    time.sleep(1.5)
    assert state(page)["step"] == frozen["step"]
    no_crash(page)


def test_step_advances_by_exactly_one(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/images")
    pause(page)
    step_then_reset(page, lambda: state(page)["step"])
    st_e2e.screenshot(page, "images-step")
    no_crash(page)


def test_bad_layer_order_is_explained_and_nothing_breaks(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/images")
    pause(page)
    good = state(page)
    # Flatten (layer 3) up once: MaxPool2D now follows a vector; twice: Conv2D does
    error = page.locator("[data-testid=stAlertContentError]").filter(has_text="needs an image")

    def message() -> str:
        return error.first.inner_text() if error.count() else ""

    up = page.locator(".st-key-ib_up_2 button").first
    up.click()
    wait_until(lambda: "Layer 3 (MaxPool2D)" in message() and "(512,)" in message())
    up.click()
    text = wait_until(lambda: "Layer 2 (Conv2D)" in (m := message()) and m)
    assert "(64,)" in text and "Flatten" in text
    wait_until(lambda: state(page)["error"] == "1")
    assert state(page)["stack"] == good["stack"]  # the last network that fit is kept
    button(page, "^Step$").click()  # and still trains
    wait_until(lambda: state(page)["step"] == good["step"] + 1)
    st_e2e.screenshot(page, "images-bad-order")
    no_crash(page)


def test_switching_language_keeps_the_experiment(page, app_url, st_e2e):
    stack = "flatten,dense:64:relu"
    st_e2e.open_app(page, app_url + f"/images?i_stack={stack}&i_lr=0.003")
    pause(page)
    paused = state(page)["step"]
    button(page, "^Step$").click()
    before = wait_until(lambda: (s := state(page))["step"] == paused + 1 and s)
    assert (before["stack"], before["lr"]) == (stack, 0.003)
    switch_to_chinese(page)
    st_e2e.wait_for_app_idle(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    assert "教神经网络识别手写数字" in text and "单步" in text
    after = state(page)
    assert (after["step"], after["stack"], after["lr"]) == (before["step"], stack, 0.003)
    url = wait_until(lambda: "lang=zh" in page.url and page.url)
    url = url.replace("%3A", ":").replace("%2C", ",")
    assert "i_lr=0.003" in url and f"i_stack={stack}" in url
    page.locator('[data-live-chart="img-preds"] [data-chart-id="samples"] .main-svg') \
        .first.wait_for()
    st_e2e.screenshot(page, "images-chinese")
    no_crash(page)
