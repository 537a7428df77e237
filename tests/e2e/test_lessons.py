"""The Lessons page in a real browser: step through a lesson and load its experiment."""

from __future__ import annotations

import re

import pytest

from .helpers import wait_until

APP = "playground/app.py"
pytestmark = [pytest.mark.e2e, pytest.mark.app(APP)]
TEXT = {"en": {"title": "Guided lessons", "next": "Next", "counter": "Step {i} of 4",
               "load": "Load this experiment", "network": "Watch a neural network learn"},
        "zh": {"title": "引导式课程", "next": "下一步", "counter": "第 {i} 步，共 4 步",
               "load": "载入这个实验", "network": "看神经网络如何学习"}}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lessons_step_loads_its_experiment_on_the_network_page(page, app_url, st_e2e, lang):
    words = TEXT[lang]
    st_e2e.open_app(page, f"{app_url}/lessons?lang={lang}")
    page.get_by_role("heading", name=words["title"]).wait_for()
    page.get_by_text(words["counter"].format(i=1)).wait_for()
    # lesson 1, step 3 shows the gradient check; step 4 loads a net that learns XOR
    for i in (2, 3, 4):
        page.get_by_role("button", name=re.compile(words["next"])).click()
        page.get_by_text(words["counter"].format(i=i)).wait_for()
        st_e2e.wait_for_app_idle(page)
        if i == 3:
            page.locator("[data-testid=stDataFrame]").nth(1).wait_for()  # gradients, errors
    st_e2e.screenshot(page, f"lessons-step4-{lang}")
    page.get_by_role("button", name=re.compile(words["load"])).click()

    page.get_by_role("heading", name=words["network"]).wait_for(timeout=30_000)
    counter = page.locator(".pg-counter").first
    counter.wait_for(state="attached")
    assert counter.get_attribute("data-dataset") == "xor"
    assert counter.get_attribute("data-layers") == "4"
    wait_until(lambda: int(page.locator(".pg-counter").first.get_attribute("data-step")) > 0)
    assert "ds=xor" in page.url
    if lang != "en":
        assert f"lang={lang}" in page.url
    st_e2e.screenshot(page, f"lessons-loaded-{lang}")
    assert not page.page_errors
