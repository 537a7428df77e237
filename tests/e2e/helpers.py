"""Small helpers shared by the browser tests."""

from __future__ import annotations

import time


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
