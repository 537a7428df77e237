"""Fixtures for driving the real Streamlit app in headless Chromium.

Reusable for any page: ``streamlit_server(app_path)`` is a context manager, and
the ``app_url`` fixture reads the app path from ``@pytest.mark.app("...")``
(default ``playground/app.py``), so a test module for another page only needs

    pytestmark = [pytest.mark.e2e, pytest.mark.app("playground/demos/live_demo.py")]

Chromium is Debian's (``/usr/bin/chromium`` or ``$CHROMIUM``) driven by
Playwright; ``playwright install`` cannot download a browser here. A missing
browser or Playwright makes the tests FAIL (CI installs both), never skip.
Screenshots go to ``tests/e2e/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploy.run_replicas import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DEFAULT_APP = "playground/app.py"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 45.0
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app(path): Streamlit script the app_url fixture runs")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --------------------------------------------------------------------------
# the Streamlit server
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    app_path: str | os.PathLike[str] = DEFAULT_APP,
    *,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Run ``streamlit run APP`` (from the repo root) on a free port; yield its base URL."""
    app = Path(app_path)
    if not app.is_absolute():
        app = ROOT / app
    if not app.is_file():
        raise FileNotFoundError(f"no Streamlit script at {app}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{app.parent.name}-{app.stem}.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *extra_args,
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    try:
        wait_healthy(url, proc, log_path, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def _servers() -> Iterator[Callable[[str], str]]:
    """One server per app path, started on first use, all stopped at session end."""
    with contextlib.ExitStack() as stack:
        cache: dict[str, str] = {}

        def start(path: str) -> str:
            if path not in cache:
                cache[path] = stack.enter_context(streamlit_server(path))
            return cache[path]

        yield start


@pytest.fixture
def app_url(request: pytest.FixtureRequest, _servers) -> str:
    """Base URL of a running ``streamlit run`` of ``@pytest.mark.app(path)`` (session-shared)."""
    marker = request.node.get_closest_marker("app")
    path = marker.args[0] if marker else DEFAULT_APP
    return _servers(path)


# --------------------------------------------------------------------------
# the browser
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright; fails loudly when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is not installed: `pip install playwright` (browsers come from apt: "
            "`apt-get install chromium`; `playwright install` is not used)",
            pytrace=False,
        )
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium fonts-noto-cjk` "
            "(or set $CHROMIUM)",
            pytrace=False,
        )
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh page (own context); a screenshot is saved if the test failed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.page_errors = errors  # type: ignore[attr-defined]
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        with contextlib.suppress(Exception):
            screenshot(pg, f"FAILED-{request.node.name}")
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def wait_for_app_idle(page, timeout: float = 20_000) -> None:
    """Wait until the script is not running (the app rendered, nothing in flight)."""
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout)


def open_app(page, url: str, *, timeout: float = 30_000) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    page.wait_for_selector("[data-testid=stApp]", state="attached", timeout=timeout)
    wait_for_app_idle(page, timeout)


def screenshot(target, name: str) -> Path:
    """Save a PNG of a page or locator under tests/e2e/artifacts/; return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=str(path))
    return path


def chart_selector(key: str, name: str | None = None) -> str:
    """CSS selector of a live chart's plot div (``live_chart(key=K)`` -> name K)."""
    return f'[data-live-chart="{key}"] [data-chart-id="{name if name is not None else key}"]'


@pytest.fixture(scope="session")
def st_e2e() -> SimpleNamespace:
    """The helpers above, for test modules (conftest modules should not be imported)."""
    return SimpleNamespace(
        open_app=open_app,
        wait_for_app_idle=wait_for_app_idle,
        screenshot=screenshot,
        chart_selector=chart_selector,
        artifacts=ARTIFACTS,
        app_idle=APP_IDLE,
    )
