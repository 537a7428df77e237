"""What the browser benchmarks share: the e2e tests' Streamlit server and Chromium settings, a
headless Chromium, the machine's load average and an overall time limit.

The benchmarks run as scripts (``python benchmarks/<name>.py``), so they import this sibling
as ``_browser``."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def e2e_conftest() -> ModuleType:
    """``tests/e2e/conftest.py`` as a module: ``streamlit_server``, ``open_app``, ``CHROMIUM``,
    ``CHROMIUM_ARGS``, ``ARTIFACTS``."""
    path = ROOT / "tests" / "e2e" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_e2e_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def launch_chromium(pw, conf: ModuleType):
    """Headless Chromium as the e2e tests run it (``pw``: a started sync Playwright)."""
    return pw.chromium.launch(executable_path=conf.CHROMIUM, headless=True,
                              args=conf.CHROMIUM_ARGS)


def loadavg() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (NaN where the system has none)."""
    try:
        return tuple(round(v, 2) for v in os.getloadavg())  # type: ignore[return-value]
    except OSError:
        return (float("nan"),) * 3  # type: ignore[return-value]


class Timeout(Exception):
    """A benchmark ran past its overall ``--timeout``."""


@contextlib.contextmanager
def time_limit(seconds: float, name: str) -> Iterator[None]:
    """Raise ``Timeout`` in the main thread once ``seconds`` (whole) have passed."""
    def alarm(signum, frame):
        raise Timeout(f"{name}: overall --timeout reached")

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
