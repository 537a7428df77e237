"""Small helpers shared by the browser tests."""

from __future__ import annotations

import re
import time
from collections.abc import Callable


def wait_until(fn, timeout: float = 20.0, interval: float = 0.2):
    """Poll ``fn()`` until it returns something truthy (returned); fail after ``timeout`` s."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


def button(page, name: str):
    """The buttons whose accessible name matches the regular expression ``name``."""
    return page.get_by_role("button", name=re.compile(name))


def pause(page, label: str = "Pause", then: str = "Play",
          until: Callable[[], object] | None = None) -> None:
    """Click ``label`` (Pause), wait for ``then`` (Play) and for ``until()`` to be truthy, then
    let Pause's rerun settle."""
    button(page, label).click()
    button(page, then).wait_for()
    if until is not None:
        wait_until(until)
    time.sleep(0.5)


def step_then_reset(page, step: Callable[[], int]) -> None:
    """On a paused page, Step advances ``step()`` by exactly one (and it stays there); Reset
    brings it back to 0."""
    before = step()
    button(page, "^Step$").click()
    wait_until(lambda: step() == before + 1)
    time.sleep(1.0)
    assert step() == before + 1
    button(page, "^Reset$").click()
    wait_until(lambda: step() == 0)


def switch_to_chinese(page) -> None:
    """Pick 简体中文 in the sidebar's language box and wait for the Chinese Play button."""
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="简体中文").click()
    button(page, "开始").wait_for()


def no_crash(page) -> None:
    """No Streamlit exception on the page and no JavaScript error in the browser."""
    assert page.locator("[data-testid=stException]").count() == 0
    assert not page.page_errors, page.page_errors
