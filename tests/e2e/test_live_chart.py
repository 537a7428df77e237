"""The live-chart demo in headless Chromium: play, pause, step, in-place updates, zoom, no blanks.

Runs ``playground/demos/live_demo.py`` (the minimal live-chart demo). If the demo moves,
change ``APP`` below.
"""

from __future__ import annotations

import io
import time

import pytest

APP = "playground/demos/live_demo.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]

CHARTS = {  # chart key in the page -> (live_chart key, chart name)
    "heatmap": ("heatmap", None),
    "metrics.loss": ("metrics", "loss"),
    "metrics.hist": ("metrics", "hist"),
}
GRID = 48  # the demo's heatmap is GRID x GRID
BINS = 40  # and its histogram has BINS bars
COUNTER = ".st-key-step_counter [data-testid=stText]"

# Summary of one chart's drawn data, read from the Plotly graph div itself.
JS_SUMMARY = """(sel) => {
  const gd = document.querySelector(sel);
  if (!gd || !gd._fullData || !gd._fullData.length) return null;
  const t = gd._fullData[0];
  let sum = 0, n = 0;
  if (t.type === "heatmap") {
    for (const row of t.z) for (const v of row) { n += 1; sum += v * n; }
    return {type: t.type, rows: t.z.length, cols: t.z[0].length, n, sum,
            reacts: gd.__liveChartReacts || 0};
  }
  for (const v of t.y) { n += 1; sum += v * n; }  // position-weighted: moves when bars move
  return {type: t.type, n, sum, reacts: gd.__liveChartReacts || 0};
}"""


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def sel(st_e2e, chart: str) -> str:
    key, name = CHARTS[chart]
    return st_e2e.chart_selector(key, name)


def summary(page, st_e2e, chart: str) -> dict:
    return page.evaluate(JS_SUMMARY, sel(st_e2e, chart))


def counter(page) -> int:
    text = page.locator(COUNTER).inner_text().strip()
    assert text.startswith("Step "), text
    return int(text.split()[1])


def wait_counter_at_least(page, n: int, timeout: float = 15_000) -> None:
    page.wait_for_function(
        """([sel, n]) => { const el = document.querySelector(sel);
             return el && parseInt(el.innerText.replace("Step ", ""), 10) >= n; }""",
        arg=[COUNTER, n],
        timeout=timeout,
    )


def wait_reacts_at_least(page, st_e2e, chart: str, n: int, timeout: float = 15_000) -> None:
    page.wait_for_function(
        "([sel, n]) => { const gd = document.querySelector(sel);"
        " return gd && (gd.__liveChartReacts || 0) >= n; }",
        arg=[sel(st_e2e, chart), n],
        timeout=timeout,
    )


def open_demo(page, app_url, st_e2e) -> None:
    st_e2e.open_app(page, app_url)
    for chart in CHARTS:
        page.wait_for_selector(sel(st_e2e, chart) + ".js-plotly-plot", timeout=20_000)
    for chart in CHARTS:
        wait_reacts_at_least(page, st_e2e, chart, 1)


def set_playing(page, st_e2e, on: bool) -> None:
    toggle = page.locator(".st-key-playing input[type=checkbox]")
    if toggle.is_checked() != on:
        page.locator(".st-key-playing label").click()
    page.wait_for_function(
        "([sel, on]) => document.querySelector(sel).checked === on",
        arg=[".st-key-playing input[type=checkbox]", on],
    )
    if not on:
        st_e2e.wait_for_app_idle(page)


def click_step(page) -> None:
    page.locator(".st-key-step button").click()


def ink_fraction(png: bytes, box: dict) -> float:
    """Share of pixels in ``box`` (CSS px) clearly different from the box's corner colour."""
    from PIL import Image, ImageChops

    img = Image.open(io.BytesIO(png)).convert("RGB")
    left, top = int(box["x"]) + 2, int(box["y"]) + 2
    crop = img.crop((left, top, left + int(box["width"]) - 4, top + int(box["height"]) - 4))
    page_bg = img.getpixel((max(0, left - 6), max(0, top - 6)))
    diff = ImageChops.difference(crop, Image.new("RGB", crop.size, page_bg)).convert("L")
    hist = diff.histogram()
    return sum(hist[60:]) / max(1, sum(hist))  # gridlines (#eee) stay below 60


def plot_area(page, st_e2e, chart: str) -> dict:
    return page.evaluate(
        """(sel) => { const gd = document.querySelector(sel);
             const r = gd.getBoundingClientRect(), s = gd._fullLayout._size;
             return {x: r.x + s.l, y: r.y + s.t, width: s.w, height: s.h}; }""",
        sel(st_e2e, chart),
    )


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------


def test_page_loads_with_three_drawn_charts(page, app_url, st_e2e):
    open_demo(page, app_url, st_e2e)
    assert counter(page) == 0
    heat = summary(page, st_e2e, "heatmap")
    assert heat["type"] == "heatmap" and (heat["rows"], heat["cols"]) == (GRID, GRID)
    assert summary(page, st_e2e, "metrics.hist")["n"] == BINS
    assert summary(page, st_e2e, "metrics.loss")["n"] == 0  # no step taken yet
    # plotly.js came from the app's own static folder, not a CDN
    src = page.evaluate("document.querySelector('script[data-live-chart=plotly]').src")
    assert src.startswith(app_url) and src.endswith("/app/static/plotly-cartesian.min.js")
    assert page.locator(".lc-error").count() == 0
    assert page.page_errors == []
    st_e2e.screenshot(page, "live_chart-loaded")


def test_play_pause_and_step(page, app_url, st_e2e):
    open_demo(page, app_url, st_e2e)

    click_step(page)
    wait_counter_at_least(page, 1)
    st_e2e.wait_for_app_idle(page)
    assert counter(page) == 1
    wait_reacts_at_least(page, st_e2e, "metrics.loss", 2)
    assert summary(page, st_e2e, "metrics.loss")["n"] == 1
    before = {chart: summary(page, st_e2e, chart) for chart in CHARTS}

    set_playing(page, st_e2e, True)
    wait_counter_at_least(page, 8)
    for chart in CHARTS:
        wait_reacts_at_least(page, st_e2e, chart, before[chart]["reacts"] + 5)
    during = {chart: summary(page, st_e2e, chart) for chart in CHARTS}
    for chart in CHARTS:
        assert during[chart]["sum"] != before[chart]["sum"], f"{chart} did not change"
    assert during["metrics.loss"]["n"] > before["metrics.loss"]["n"]

    set_playing(page, st_e2e, False)
    time.sleep(0.5)  # let a tick that was already in flight land
    frozen = counter(page)
    reacts = summary(page, st_e2e, "heatmap")["reacts"]
    time.sleep(1.5)
    assert counter(page) == frozen, "the counter moved while paused"
    assert summary(page, st_e2e, "heatmap")["reacts"] == reacts

    click_step(page)
    wait_counter_at_least(page, frozen + 1)
    st_e2e.wait_for_app_idle(page)
    time.sleep(0.7)
    assert counter(page) == frozen + 1, "Step must advance exactly one"
    page.wait_for_function(  # and the charts show that one step
        "([sel, n]) => document.querySelector(sel)._fullData[0].y.length === n",
        arg=[sel(st_e2e, "metrics.loss"), frozen + 1],
    )
    assert page.page_errors == []


def test_same_dom_node_and_zoom_survive_updates(page, app_url, st_e2e):
    open_demo(page, app_url, st_e2e)
    click_step(page)
    wait_counter_at_least(page, 1)
    st_e2e.wait_for_app_idle(page)

    # Mark every chart div (and its component root) with a JS property.
    page.evaluate(
        """(sels) => { window.__lcMarked = {};
             for (const [name, sel] of Object.entries(sels)) {
               const gd = document.querySelector(sel);
               gd.__lcMark = name; window.__lcMarked[name] = gd; } }""",
        {chart: sel(st_e2e, chart) for chart in CHARTS},
    )
    set_playing(page, st_e2e, True)  # zoom while the charts are being updated
    wait_counter_at_least(page, 4)
    # A user zoom through the Plotly API on the heatmap ...
    page.evaluate(
        "(sel) => Plotly.relayout(document.querySelector(sel),"
        " {'xaxis.range': [10, 30], 'yaxis.range': [5, 25]})",
        sel(st_e2e, "heatmap"),
    )
    # ... and a real box-zoom drag with the mouse on the histogram (updates to a
    # chart wait while the mouse button is down, so the drag is not cut short).
    area = plot_area(page, st_e2e, "metrics.hist")
    y = area["y"] + area["height"] * 0.5
    page.mouse.move(area["x"] + area["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.4, y, steps=4)
    held = {chart: summary(page, st_e2e, chart)["reacts"] for chart in CHARTS}
    wait_reacts_at_least(page, st_e2e, "heatmap", held["heatmap"] + 3)
    assert summary(page, st_e2e, "metrics.hist")["reacts"] == held["metrics.hist"], (
        "a chart was redrawn under the user's mouse drag"
    )
    page.mouse.move(area["x"] + area["width"] * 0.6, y, steps=4)
    page.mouse.up()
    page.wait_for_function(
        "(sel) => document.querySelector(sel)._fullLayout.xaxis.autorange === false",
        arg=sel(st_e2e, "metrics.hist"),
    )
    hist_range = page.evaluate(
        "(sel) => document.querySelector(sel)._fullLayout.xaxis.range",
        sel(st_e2e, "metrics.hist"),
    )
    reacts = {chart: summary(page, st_e2e, chart)["reacts"] for chart in CHARTS}
    for chart in CHARTS:
        wait_reacts_at_least(page, st_e2e, chart, reacts[chart] + 5)
    set_playing(page, st_e2e, False)

    # Checked once the rerun that Pause started has settled: Streamlit sometimes re-mounts
    # the elements on that rerun (new, empty parents, ~0.1 s after it starts); the new mount
    # adopts the same chart divs, zoom and all.
    st_e2e.wait_for_app_idle(page)
    page.wait_for_timeout(500)
    page.wait_for_function(
        "(n) => document.querySelectorAll('.lc-chart').length === n"
        " && document.querySelectorAll('.js-plotly-plot').length === n",
        arg=len(CHARTS), timeout=10_000)
    same = page.evaluate(
        """(sels) => Object.entries(sels).map(([name, sel]) => {
             const gd = document.querySelector(sel);
             return gd === window.__lcMarked[name] && gd.__lcMark === name; })""",
        {chart: sel(st_e2e, chart) for chart in CHARTS},
    )
    assert same == [True] * len(CHARTS), "a chart div was re-mounted"

    heat = page.evaluate(
        "(sel) => { const l = document.querySelector(sel)._fullLayout;"
        " return [l.xaxis.range, l.yaxis.range]; }",
        sel(st_e2e, "heatmap"),
    )
    assert heat == [[10, 30], [5, 25]], "heatmap zoom was lost on update"
    after = page.evaluate(
        "(sel) => document.querySelector(sel)._fullLayout.xaxis.range",
        sel(st_e2e, "metrics.hist"),
    )
    assert after == pytest.approx(hist_range), "histogram box zoom was lost on update"
    st_e2e.screenshot(page, "live_chart-zoomed")
    assert page.page_errors == []


def test_no_blank_chart_while_playing(page, app_url, st_e2e):
    open_demo(page, app_url, st_e2e)
    set_playing(page, st_e2e, True)
    wait_counter_at_least(page, 3)
    min_ink = {"heatmap": 0.3, "metrics.loss": 0.002, "metrics.hist": 0.02}
    blanks = []
    for i in range(8):
        time.sleep(0.15)
        step = counter(page)
        boxes = {chart: plot_area(page, st_e2e, chart) for chart in CHARTS}
        data = {chart: summary(page, st_e2e, chart) for chart in CHARTS}
        png = page.screenshot()
        (st_e2e.artifacts / f"live_chart-playing-{i}.png").write_bytes(png)
        assert data["heatmap"]["rows"] == GRID and data["metrics.hist"]["n"] == BINS
        assert data["metrics.loss"]["n"] >= min(step, 2000) - 3  # a frame may be in flight
        for chart, box in boxes.items():
            ink = ink_fraction(png, box)
            if ink < min_ink[chart]:
                blanks.append((i, chart, round(ink, 4)))
    set_playing(page, st_e2e, False)
    assert blanks == [], f"blank charts in screenshots: {blanks}"
    assert page.page_errors == []
