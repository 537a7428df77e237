"""The Optimizer paths page in a real browser: controls redraw the paths, bad input is explained."""

from __future__ import annotations

import pytest

from .helpers import no_crash, wait_until

APP = "playground/app.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]
SPAN = ".pg-paths"
CONTOUR = '[data-live-chart="p-contour"] [data-chart-id="p-contour"]'


def state(page) -> dict:
    el = page.locator(SPAN).first
    el.wait_for(state="attached")
    finals = {}
    for item in filter(None, (el.get_attribute("data-final") or "").split("|")):
        opt, x, y = item.split(":")
        finals[opt] = (float(x), float(y))
    return {"fn": el.get_attribute("data-fn"), "opts": el.get_attribute("data-opts"),
            "error": el.get_attribute("data-error"), "final": finals}


def drawn_end(page, name: str) -> list[float] | None:
    """The last point of the path called ``name`` as Plotly drew it in the contour chart."""
    return page.evaluate(
        """([sel, name]) => {
            const div = document.querySelector(sel);
            if (!div || !div._fullData) return null;  // decoded arrays (data holds base64)
            const t = div._fullData.find(d => d.name === name && d.mode === 'lines+markers');
            if (!t) return null;
            const n = t.x.length;
            return [Number(t.x[n - 1]), Number(t.y[n - 1]), n];
        }""", [CONTOUR, name])


def test_changing_an_optimizer_redraws_its_path(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/paths?p_fn=rosenbrock&p_opt=gd,adam&p_steps=100")
    page.locator(f"{CONTOUR} .main-svg").first.wait_for()
    before = state(page)
    assert before["opts"] == "gd,adam" and before["error"] == "0"
    drawn = wait_until(lambda: drawn_end(page, "Gradient descent"))
    assert drawn[2] == 101  # start + 100 steps
    assert drawn[:2] == pytest.approx(before["final"]["gd"], abs=1e-4)
    # GD's learning rate one notch up (0.001 -> 0.002): a new GD path, Adam untouched
    thumb = page.locator(".st-key-pw_lr_gd-en input[type=range]")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    after = wait_until(lambda: (s := state(page))["final"]["gd"] != before["final"]["gd"] and s)
    assert after["final"]["adam"] == before["final"]["adam"]
    wait_until(lambda: (d := drawn_end(page, "Gradient descent"))
               and d[:2] == pytest.approx(after["final"]["gd"], abs=1e-4))
    assert "p_lr=gd" in page.url  # the link follows
    st_e2e.screenshot(page, "paths-after-lr-change")
    # a click on the start map (upper right of Rosenbrock's domain) moves the start there
    picker = page.locator(".st-key-pw_pick-en")
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])
    moved = wait_until(lambda: (s := state(page))["final"]["adam"] != after["final"]["adam"]
                       and s)
    x0 = float(page.locator(".st-key-pw_x0-en input").input_value())
    y0 = float(page.locator(".st-key-pw_y0-en input").input_value())
    assert x0 > 0.0 and y0 > 1.5  # the clicked quarter of x in [-2, 2], y in [-1, 3]
    assert "p_start=" in page.url and moved["final"]["gd"] != after["final"]["gd"]
    no_crash(page)


def test_bad_expression_shows_the_message_and_nothing_breaks(page, app_url, st_e2e):
    st_e2e.open_app(page, app_url + "/paths?p_fn=expr&p_expr=x**2%2B10*y**2&p_opt=gd,bfgs")
    page.locator(f"{CONTOUR} .main-svg").first.wait_for()
    good = state(page)
    assert good["fn"] == "expression" and good["error"] == "0"
    box = page.locator(".st-key-pw_expr-en input")
    box.fill("x**2 +* y")
    box.press("Enter")
    message = page.locator(".st-key-p_expr_error").get_by_text("This formula cannot be used")
    message.wait_for(timeout=20_000)
    assert "column 7" in page.locator(".st-key-p_expr_error").inner_text()
    st_e2e.wait_for_app_idle(page)
    bad = state(page)
    assert bad["error"] == "1" and bad["final"] == good["final"]  # last good function kept
    assert page.locator(CONTOUR).count() == 1
    assert page.locator(f"{CONTOUR} .main-svg").first.is_visible()
    st_e2e.screenshot(page, "paths-bad-expression")
    no_crash(page)
    # a good formula again: the message goes, the paths move to the new function
    box.fill("(x-1)**2 + 2*(y+1)**2")
    box.press("Enter")
    wait_until(lambda: (s := state(page))["error"] == "0" and s["final"] != good["final"])
    assert page.locator(".st-key-p_expr_error").count() == 0
    no_crash(page)
