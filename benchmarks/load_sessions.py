"""The two kinds of student for benchmarks/load_test.py: a real browser tab, or a protocol client.

Both open the Network page on their own experiment, keep a log of every value the
``.pg-counter`` readout took (``(seconds, step, dataset, lr, layers)`` on their own clock),
and click Pause / Step / Play by measuring, on that clock, the time from the click to the
page showing its effect:

- ``BrowserSession``: a browser context of one headless Chromium; the log is sampled in the
  page every 16 ms and clicks are dispatched and timed in the page (end to end: server,
  network, the frontend's rendering). ``window.Plotly`` is a no-op stub unless charts are
  drawn for real.
- ``ProtocolSession``: ``benchmarks/st_client.StreamlitClient``, which speaks Streamlit's
  WebSocket protocol and draws nothing (the server's side only; dozens fit in one process).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from benchmarks.st_client import StreamlitClient

APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
ROUTE_COOKIE = "pg_route"  # deploy/nginx.conf's routing cookie
DATASETS = ("two_moons", "spiral", "circle", "xor", "gauss")
LRS = ("0.003", "0.01", "0.03", "0.1", "0.3")

# Stands in for plotly.js: the live-chart component only needs react/purge/Plots.resize.
PLOTLY_STUB = """
window.Plotly = {react: () => Promise.resolve(), newPlot: () => Promise.resolve(),
                 purge: () => {}, Plots: {resize: () => {}}};
"""
# Records every change of the readout span, with the page's clock.
SAMPLER = """
window.__pg = {log: [], last: null};
setInterval(() => {
  const el = document.querySelector('.pg-counter');
  if (!el) return;
  const d = el.dataset;
  const key = [d.step, d.dataset, d.lr, d.layers].join('|');
  if (key === window.__pg.last) return;
  window.__pg.last = key;
  window.__pg.log.push([performance.now() / 1000, Number(d.step), d.dataset, d.lr, d.layers]);
}, 16);
"""
# Click Pause / Step / Play in the page and wait for the page to show the effect.
CLICK = """
async ([kind, timeoutMs]) => {
  const counter = () => { const el = document.querySelector('.pg-counter');
                          return el ? Number(el.dataset.step) : NaN; };
  const label = () => (document.querySelector('.st-key-b_play button') || {}).innerText || '';
  const btn = document.querySelector(kind === 'step' ? '.st-key-b_step button'
                                                     : '.st-key-b_play button');
  if (!btn) return {error: 'no button'};
  const before = counter();
  const t0 = performance.now();
  btn.click();
  return await new Promise(resolve => {
    const check = () => {
      const dt = performance.now() - t0, step = counter(), text = label();
      const done = kind === 'pause' ? /Play/.test(text)
                 : kind === 'step' ? step === before + 1
                 : step > before && /Pause/.test(text);
      if (done) return resolve({s: dt / 1000, t0: t0 / 1000, before, step});
      if (dt > timeoutMs) return resolve({timeout: true, s: dt / 1000, t0: t0 / 1000, before,
                                          step, text});
      setTimeout(check, 5);
    };
    check();
  });
}
"""


def experiment(i: int) -> dict[str, str]:
    """Session i's own experiment: data set, learning rate and layer sizes differ."""
    return {"ds": DATASETS[i % 5], "lr": LRS[(i // 5) % 5],
            "layers": f"{2 + i % 8}:tanh,{2 + (i // 8) % 8}:tanh"}


def readout(exp: dict[str, str]) -> tuple[str, str, str]:
    """What the session's .pg-counter must show: (data-dataset, data-lr, data-layers)."""
    return exp["ds"], exp["lr"], ",".join(p.split(":")[0] for p in exp["layers"].split(","))


def query(exp: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in exp.items())


@dataclass
class Session:
    """What both kinds share: the experiment, click latencies (s) and failures."""

    i: int
    exp: dict[str, str]
    clicks: dict[str, list[float]] = field(default_factory=lambda: {
        "pause": [], "step": [], "play": [], "pause_label": [], "pause_last_step": []})
    failures: list[str] = field(default_factory=list)

    async def wait_moving(self, timeout: float = 60.0) -> bool:
        start = await self.step()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.step() > start:
                return True
            await asyncio.sleep(0.1)
        return False


@dataclass
class BrowserSession(Session):
    context: object = None
    page: object = None

    @classmethod
    async def open(cls, browser, url: str, i: int, *, stub: bool, timeout: float,
                   route: str | None = None) -> BrowserSession:
        exp = experiment(i)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        if route is not None:  # a proxy's routing cookie: which replica this student gets
            await context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": url}])
        if stub:
            await context.add_init_script(PLOTLY_STUB)
        await context.add_init_script(SAMPLER)
        page = await context.new_page()
        page.set_default_timeout(timeout * 1000)
        await page.goto(f"{url}/?{query(exp)}", wait_until="domcontentloaded")
        await page.wait_for_selector(APP_IDLE, state="attached")
        await page.wait_for_selector(".pg-counter", state="attached")
        return cls(i, exp, context=context, page=page)

    async def step(self) -> int:
        return int(await self.page.evaluate(
            "() => Number((document.querySelector('.pg-counter') || {dataset: {step: -1}})"
            ".dataset.step)"))

    async def playing(self) -> bool:
        text = await self.page.evaluate(
            "() => (document.querySelector('.st-key-b_play button') || {}).innerText || ''")
        return "Pause" in text

    async def click(self, kind: str, timeout: float = 30.0) -> dict:
        return await self.page.evaluate(CLICK, [kind, timeout * 1000])

    async def log(self) -> list:
        return await self.page.evaluate("() => window.__pg.log")

    async def now(self) -> float:
        return await self.page.evaluate("() => performance.now() / 1000")

    async def close(self) -> None:
        await self.context.close()


@dataclass
class ProtocolSession(Session):
    client: StreamlitClient | None = None

    @classmethod
    async def open(cls, url: str, i: int, *, timeout: float, interval: float | None = None,
                   route: str | None = None) -> ProtocolSession:
        exp = experiment(i)
        headers = {"Cookie": f"{ROUTE_COOKIE}={route}"} if route is not None else None
        client = StreamlitClient(url, query(exp), interval=interval, headers=headers)
        await client.open(timeout)
        if await client.wait_for(lambda: client.step >= 0 and "b_play" in client.widget_ids,
                                 timeout) is None:
            await client.close()
            raise TimeoutError(f"session {i}: no readout within {timeout} s")
        return cls(i, exp, client=client)

    async def step(self) -> int:
        return self.client.step

    async def playing(self) -> bool:
        return self.client.labels.get("b_play") == "Pause"

    async def click(self, kind: str, timeout: float = 30.0) -> dict:
        c = self.client
        before, t0 = c.step, time.monotonic()
        await c.click("b_step" if kind == "step" else "b_play")
        done = {"pause": lambda: c.labels.get("b_play") == "Play",
                "step": lambda: c.step == before + 1,
                "play": lambda: c.step > before and c.labels.get("b_play") == "Pause"}[kind]
        s = await c.wait_for(done, timeout)
        if s is None:
            return {"timeout": True, "s": timeout, "t0": t0, "before": before, "step": c.step}
        return {"s": s, "t0": t0, "before": before, "step": c.step}

    async def log(self) -> list:
        return list(self.client.log)

    async def now(self) -> float:
        return time.monotonic()

    async def close(self) -> None:
        await self.client.close()
