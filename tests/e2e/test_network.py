"""The Network page in a real browser: it opens learning, and every control does what it says."""

from __future__ import annotations

import re
import time

import pytest

from .helpers import pause, step_then_reset, switch_to_chinese, wait_until

APP = "playground/app.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]
COUNTER = ".pg-counter"


def counter(page) -> dict:
    el = page.locator(COUNTER).first
    el.wait_for(state="attached")
    return {"step": int(el.get_attribute("data-step")),
            "epoch": int(el.get_attribute("data-epoch")),
            "loss": float(el.get_attribute("data-loss")),
            "dataset": el.get_attribute("data-dataset"), "lr": float(el.get_attribute("data-lr")),
            "layers": el.get_attribute("data-layers")}


def test_page_opens_learning_and_pause_freezes(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url)
    first = counter(page)
    later = wait_until(lambda: (c := counter(page))["step"] > first["step"] + 50 and c)
    assert later["loss"] < first["loss"] or later["step"] > first["step"]
    for name in ("net-top", "net-curves", "net-hist"):
        page.locator(f'[data-live-chart="{name}"] .main-svg').first.wait_for()
    st_e2e.screenshot(page, "network-playing")
    pause(page)
    frozen = counter(page)
    time.sleep(1.5)
    assert counter(page) == frozen
    assert not page.page_errors


def test_without_plotly_the_page_says_so_and_still_works(page, app_url, st_e2e):
    # A browser that cannot load plotly.js: the chart area says what failed, the controls
    # are there and training goes on.
    page.route("**/plotly*.js", lambda route: route.abort())
    st_e2e.open_app(page, app_url)
    page.locator(".lc-error").first.wait_for()
    assert "could not load plotly.js" in page.locator(".lc-error").first.inner_text()
    page.get_by_role("combobox", name="Data set").wait_for(timeout=15_000)
    first = counter(page)["step"]
    wait_until(lambda: counter(page)["step"] > first)
    st_e2e.screenshot(page, "network-no-plotly")


def test_settings_tabs_keep_a_change_made_in_another_tab(page, app_url, st_e2e):
    # the page builds only the open settings tab; a tab click reruns the page
    st_e2e.open_app(page, app_url + "/?lr=0.01")
    pause(page)
    page.get_by_role("tab", name="Training").click()
    lr = page.locator(".st-key-w_lr-en input[type=range]")
    lr.wait_for(state="attached", timeout=15_000)
    assert page.get_by_role("combobox", name="Data set").count() == 0
    lr.focus()
    page.keyboard.press("ArrowRight")  # one notch up the grid: 0.01 -> 0.03
    wait_until(lambda: counter(page)["lr"] == 0.03)
    page.get_by_role("tab", name="Data").click()
    page.get_by_role("combobox", name="Data set").wait_for(timeout=15_000)
    page.get_by_role("tab", name="Training").click()
    lr.wait_for(state="attached", timeout=15_000)
    st_e2e.wait_for_app_idle(page)
    assert counter(page)["lr"] == 0.03
    assert "0.03" in page.locator(".st-key-w_lr-en").inner_text()
    st_e2e.screenshot(page, "network-tabs")


def test_zooming_while_it_redraws_never_stops_the_chart(page, app_url, st_e2e):
    # plotly.js can leave a Plotly.react pending for ever when a relayout (a zoom) runs at the
    # same time; the chart then never redrew again (bench_ui: 3 of 8 page loads). Ten zooms
    # during play: the boundary must keep redrawing after them.
    st_e2e.open_app(page, app_url)
    gd = '[data-live-chart="net-top"] [data-chart-id="boundary"]'
    page.locator(f"{gd} .main-svg").first.wait_for()
    reacts = f"() => document.querySelector('{gd}').__liveChartReacts || 0"
    for _ in range(10):
        page.evaluate(f"""() => {{
          const gd = document.querySelector('{gd}');
          const x = gd._fullLayout.xaxis.range, y = gd._fullLayout.yaxis.range;
          const q = (r) => [r[0] + (r[1] - r[0]) / 8, r[1] - (r[1] - r[0]) / 8];
          window.Plotly.relayout(gd, {{'xaxis.range': q(x), 'yaxis.range': q(y)}});
        }}""")
        time.sleep(0.3)
    before = page.evaluate(reacts)
    wait_until(lambda: page.evaluate(reacts) >= before + 10, timeout=15)
    assert not page.page_errors


def test_the_page_loads_the_small_plotly_and_a_3d_page_the_full_one(page, app_url, st_e2e):
    loaded = "() => performance.getEntriesByType('resource').map(e => e.name.split('/').pop())"
    st_e2e.open_app(page, app_url)
    boundary = '[data-live-chart="net-top"] [data-chart-id="boundary"]'
    page.locator(f"{boundary} .main-svg").first.wait_for()
    names = page.evaluate(loaded)
    assert "plotly-cartesian.min.js" in names and "plotly.min.js" not in names
    # the landscape's 3-D surface needs the full bundle, which then serves every page
    page.get_by_role("link", name=re.compile("Loss landscape")).click()
    page.locator('[data-live-chart="ls-plane"] [data-chart-id="surface"] .main-svg').first \
        .wait_for(timeout=60_000)
    assert "plotly.min.js" in page.evaluate(loaded)
    page.get_by_role("link", name=re.compile("^Network")).click()
    page.locator(f"{boundary} .main-svg").first.wait_for()
    reacts = f"() => document.querySelector('{boundary}').__liveChartReacts || 0"
    before = page.evaluate(reacts)
    wait_until(lambda: page.evaluate(reacts) >= before + 5)
    assert page.locator(".lc-error").count() == 0
    assert not page.page_errors
    st_e2e.screenshot(page, "network-after-3d-page")


def test_step_advances_exactly_one_and_reset_returns_to_zero(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url)
    pause(page)
    step_then_reset(page, lambda: counter(page)["step"])
    st_e2e.screenshot(page, "network-reset")


def test_shared_link_restores_settings(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/?ds=circle&noise=20&layers=4:relu,3:tanh&opt=sgd&lr=0.1")
    st_e2e.wait_for_app_idle(page)
    pause(page)
    c = counter(page)
    assert (c["dataset"], c["lr"], c["layers"]) == ("circle", 0.1, "4,3")
    # the page keeps the link's settings in its own URL
    url = page.url.replace("%3A", ":").replace("%2C", ",")
    assert "ds=circle" in url and "lr=0.1" in url and "layers=4:relu,3:tanh" in url
    st_e2e.screenshot(page, "network-shared-link")


def test_switching_language_keeps_the_experiment(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/?ds=xor&lr=0.01")
    pause(page)
    step = counter(page)["step"]
    switch_to_chinese(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    assert "学习率" in text and "开始" in text
    # option widgets show the new language too (they are re-created per language)
    assert page.get_by_role("combobox", name="数据集").input_value() == "异或（XOR）"
    c = counter(page)
    assert c["step"] == step and (c["dataset"], c["lr"]) == ("xor", 0.01)
    assert "ds=xor" in page.url and "lr=0.01" in page.url
    st_e2e.screenshot(page, "network-chinese")


def test_junk_upload_is_refused_and_a_saved_experiment_loads_back(page, app_url, st_e2e,
                                                                   tmp_path):
    st_e2e.open_app(page, app_url + "/?ds=gauss&lr=0.1&layers=5:relu")
    pause(page)
    saved = counter(page)
    page.get_by_text("Save and load").click()
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download experiment")).click()
    path = tmp_path / "experiment.npz"
    info.value.save_as(path)
    # a file that is not an experiment: a message, and the experiment is untouched
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(junk))
    page.get_by_text("Could not load that file").wait_for()
    assert "unchanged" in page.locator("[data-testid=stAlert]").first.inner_text()
    after_junk = counter(page)
    assert (after_junk["dataset"], after_junk["lr"], after_junk["layers"]) == \
        ("gauss", 0.1, "5")
    assert page.locator("[data-testid=stException]").count() == 0
    st_e2e.screenshot(page, "network-upload-refused")
    # change the experiment, then load the saved file: its settings and step come back
    st_e2e.open_app(page, app_url + "/?ds=xor&lr=0.01")
    pause(page)
    page.get_by_text("Save and load").click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    page.get_by_text("Experiment loaded").wait_for()
    loaded = wait_until(lambda: (c := counter(page))["dataset"] == "gauss" and c)
    assert (loaded["lr"], loaded["layers"]) == (0.1, "5")
    assert abs(loaded["loss"] - saved["loss"]) < 1e-9, (saved, loaded)  # same weights, same loss
