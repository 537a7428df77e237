"""The Loss landscape page in a real browser: a trained network's trajectory is drawn on it."""

from __future__ import annotations

import re
import time

import pytest

from .helpers import wait_until

APP = "playground/app.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]
READOUT = ".pg-landscape"
CONTOUR = '[data-live-chart="ls-plane"] [data-chart-id="contour"]'

# The trajectory trace as plotly.js holds it after Plotly.react (typed arrays decoded).
TRAJECTORY_POINTS = """sel => {
  const gd = document.querySelector(sel);
  if (!gd || !gd._fullData) return -1;
  const t = gd._fullData.find(tr => tr.uid === "trajectory");
  return t ? t.x.length : 0;
}"""


def readout(page) -> dict:
    el = page.locator(READOUT).first
    el.wait_for(state="attached")
    return {k: el.get_attribute(f"data-{k}") for k in ("step", "path", "kind", "shown")}


def test_landscape_of_a_trained_network_draws_its_trajectory(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url)  # the Network page opens training
    counter = page.locator(".pg-counter").first
    step = wait_until(lambda: (n := int(counter.get_attribute("data-step"))) >= 50 and n)

    page.get_by_role("link", name=re.compile("Loss landscape")).click()
    page.locator(f"{CONTOUR} .main-svg").first.wait_for()
    st_e2e.wait_for_app_idle(page)
    r = readout(page)
    assert r["shown"] == "1" and r["kind"] == "random" and int(r["step"]) >= step
    assert int(r["path"]) >= 10
    # the trajectory is drawn: a trace in plotly's data and a line in the SVG
    n = wait_until(lambda: page.evaluate(TRAJECTORY_POINTS, CONTOUR) == int(r["path"]) or None)
    assert n
    assert page.locator(f"{CONTOUR} .scatterlayer .trace .js-line").count() >= 1
    page.locator('[data-live-chart="ls-plane"] [data-chart-id="surface"] .main-svg').first \
        .wait_for()
    st_e2e.screenshot(page, "landscape-random")

    # PCA of the trajectory: axes carry the explained variance, the path is still drawn
    page.get_by_role("radio", name="PCA", exact=True).click()
    wait_until(lambda: readout(page)["kind"] == "pca")
    xtitle = page.locator(f"{CONTOUR} .xtitle")
    wait_until(lambda: "% of variance" in (xtitle.text_content() or ""))
    assert page.evaluate(TRAJECTORY_POINTS, CONTOUR) >= 10
    st_e2e.screenshot(page, "landscape-pca")

    # follow training: the network trains here, the marker moves, the landscape stays
    reacts = int(page.locator(CONTOUR).get_attribute("data-reacts") or 0)
    before = int(readout(page)["step"])
    page.get_by_text("Follow training").click()
    wait_until(lambda: int(readout(page)["step"]) > before + 20)
    wait_until(lambda: int(page.locator(CONTOUR).get_attribute("data-reacts") or 0) > reacts)
    assert readout(page)["kind"] == "pca"
    page.get_by_text("Follow training").click()
    assert not page.page_errors


def test_a_long_computation_shows_progress_and_cancels(page, app_url, st_e2e):
    # a bigger network on more data: its 41×41 grid takes far longer than this test
    page.goto(app_url + "/landscape?layers=64:tanh,64:tanh,64:tanh&n=2000&train=90",
              wait_until="domcontentloaded")
    bar = page.locator("[data-testid=stProgress]").first
    bar.wait_for(timeout=30_000)
    assert "1,681" in bar.inner_text()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text(re.compile("^Cancelled")).wait_for()
    st_e2e.wait_for_app_idle(page)
    assert page.locator("[data-testid=stProgress]").count() == 0
    assert readout(page)["shown"] == "0"
    time.sleep(1.0)  # the computation stays stopped
    assert page.locator("[data-testid=stProgress]").count() == 0
    assert not page.page_errors
