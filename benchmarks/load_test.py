"""A whole class at once: N concurrent sessions of the Network page on one app server.

    python benchmarks/load_test.py [--sessions 20] [--seconds 30] [--ttl 10] [--replicas 1]
        [--client protocol|browser] [--render-charts] [--interval S] [--json out.json]
        [--strict]

1. Starts one replica as ``deploy/run_replicas.py`` does (production config, its
   environment), with ``--server.disconnectedSessionTTL=<ttl>``, or with ``--replicas K``
   K of them behind nginx (``deploy/``), students spread over them by routing cookie; the
   script is ``benchmarks/load_probe_app.py`` (the app plus an on-request count of live
   trainers). RSS is the servers' ``VmRSS`` from /proc, summed over replicas.
2. Warm-up: one session plays, closes and is released -> the **baseline** RSS.
3. Opens N sessions, each on its own experiment from its URL (own data set, learning rate
   and layer sizes), all playing. ``--client protocol`` (default): each session is a
   ``benchmarks/st_client.StreamlitClient`` speaking Streamlit's WebSocket protocol, as
   the browser does, but drawing nothing, so the numbers are the server's (each student's
   own machine draws their charts). ``--client browser``: each session is a context of one
   headless Chromium (end to end, frontend included; ``window.Plotly`` is a no-op stub
   unless ``--render-charts``); on this 2-core machine the browsers then take most of the
   CPU, so use it with few sessions.
4. ``--seconds``/2 of everyone playing: engine steps/s and frames/s per session (changes of
   ``.pg-counter[data-step]``), CPU of the server, of this run's Chromium and of
   everything else on the machine.
5. ``--seconds``/2 of clicks while the others play: each session, at random moments,
   clicks Pause (effect: the button says Play and ``data-step`` stops; latency = the later
   of the two; checked frozen for 1.5 s), Step (effect: ``data-step`` = before + 1, checked
   to stay), Play (effect: ``data-step`` moves again). Timed from the click to the effect.
6. Idle: everyone paused -> RSS growth per idle session.
7. Leakage: every readout value every session received (data-dataset, data-lr,
   data-layers) must be its own experiment's.
8. Everyone leaves; after the TTL one bare WebSocket connects and disconnects (Streamlit
   frees expired sessions lazily, on the next disconnect); the probe counts live trainers
   (at most 1: Streamlit's runtime loop holds the last active session in a local variable
   until its next message; all others were released) and RSS is read. CPython keeps freed memory for
   reuse rather than returning it to the OS, so a second class of N then opens, idles and
   leaves: if the first class was released, the server does not grow again.

Prints a table with PASS/FAIL against the targets, then one JSON line; ``--strict`` exits
1 on any FAIL. Other processes on the machine skew the timings: CPU shares are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.load_sessions import (  # noqa: E402
    PLOTLY_STUB,
    BrowserSession,
    ProtocolSession,
    Session,
    readout,
)
from deploy import run_replicas  # noqa: E402

__all__ = ["PLOTLY_STUB", "TARGETS", "print_report", "run", "verdicts"]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
PROBE_APP = Path(__file__).resolve().with_name("load_probe_app.py")
TARGETS = {"p95_click_s": 1.5, "rss_per_idle_session_mb": 30.0}
FROZEN_CHECK_S = 1.5  # after Pause, data-step must not move for this long
# Sessions still alive once everyone left and the TTL passed: Streamlit's runtime loop
# (Runtime._loop_coroutine) keeps the last session it sent messages for in a local
# variable until its next message, so at most one per replica; not a growing leak.
LINGER = 1
_TICK = os.sysconf("SC_CLK_TCK")


# -- the server's process -----------------------------------------------------------------
def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class Servers:
    """The app processes under test (one replica, or K behind nginx) and how to reach them."""

    url: str  # what the students open: the replica, or nginx
    pids: list[int]
    direct_urls: list[str]  # each replica's own URL
    probes: list[Path]  # each replica's load_probe_app folder
    routes: list[str | None] = field(default_factory=lambda: [None])  # student i: routes[i % K]

    def rss(self) -> float:
        return sum(rss_mb(pid) for pid in self.pids)

    def route(self, i: int) -> str | None:
        return self.routes[i % len(self.routes)]


def cpu_snapshot(server_pids: list[int]) -> dict[str, float]:
    """CPU seconds so far: the app servers, this run's Chromium, and the whole machine."""
    me, procs = os.getpid(), {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                with open(f"/proc/{d}/stat") as f:
                    rest = f.read().rsplit(")", 1)[1].split()
                procs[int(d)] = (int(rest[1]), (int(rest[11]) + int(rest[12])) / _TICK)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    browser, stack = 0.0, list(children.get(me, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        if pid not in server_pids:
            browser += procs[pid][1]
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = (sum(v[:8]) - v[3] - v[4]) / _TICK
    return {"server": sum(procs.get(pid, (0, 0.0))[1] for pid in server_pids),
            "browser": browser,
            "machine": busy, "me": procs.get(me, (0, 0.0))[1]}


class RssSampler(threading.Thread):
    """Peak RSS of the servers (summed), sampled every 0.5 s."""

    def __init__(self, servers: Servers):
        super().__init__(daemon=True)
        self.servers, self.peak, self._done = servers, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            with contextlib.suppress(OSError, RuntimeError):
                self.peak = max(self.peak, self.servers.rss())
            self._done.wait(0.5)

    def stop(self) -> float:
        self._done.set()
        self.join(timeout=2)
        return self.peak


async def settle_rss(servers: Servers, seconds: float) -> float:
    """RSS after ``seconds`` (the lowest of the last few samples)."""
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        samples.append(servers.rss())
        await asyncio.sleep(0.25)
    return min(samples[-4:]) if samples else servers.rss()


async def reap(servers: Servers) -> None:
    """Connect and disconnect one bare WebSocket per replica: Streamlit drops expired
    sessions from its storage when the next session disconnects (lazy TTL cache)."""
    from websockets.asyncio.client import connect

    for url in servers.direct_urls:
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        async with connect(ws_url, subprotocols=["streamlit"], open_timeout=10):
            await asyncio.sleep(0.3)
    await asyncio.sleep(0.5)


async def probe(servers: Servers, timeout: float = 20.0) -> list[dict] | None:
    """Ask each replica's probe what it holds (live trainers after a gc.collect(), and what
    playground.pacing counts); None when one does not answer in time."""
    answers = []
    for folder in servers.probes:
        answer = folder / "probe.json"
        answer.unlink(missing_ok=True)
        (folder / "probe.request").write_text("?")
        deadline = time.monotonic() + timeout
        while not answer.exists():
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.1)
        answers.append(json.loads(answer.read_text()))
    return answers


async def live_trainers(servers: Servers, timeout: float = 20.0) -> int | None:
    """How many trainers are alive over all replicas."""
    answers = await probe(servers, timeout)
    return None if answers is None else sum(int(a["trainers"]) for a in answers)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


# -- the students -------------------------------------------------------------------------
async def click_round(s: Session) -> None:
    """Pause (checked frozen), Step (checked exactly +1), Play (checked moving)."""
    r = await s.click("pause")
    if r.get("timeout") or r.get("error"):
        s.failures.append(f"pause: {r}")
        return
    await asyncio.sleep(FROZEN_CHECK_S)
    changes = [e[0] for e in await s.log() if e[0] > r["t0"]]
    last_change = max(changes) - r["t0"] if changes else 0.0
    if last_change > r["s"] + 1.0:  # still moving a second after the page said paused
        s.failures.append(f"pause: data-step still changing {last_change:.2f} s after click")
    s.clicks["pause"].append(max(r["s"], last_change))
    s.clicks["pause_label"].append(r["s"])
    s.clicks["pause_last_step"].append(last_change)
    r = await s.click("step")
    if r.get("timeout") or r.get("error"):
        s.failures.append(f"step: {r}")
    else:
        s.clicks["step"].append(r["s"])
        await asyncio.sleep(1.0)
        if await s.step() != r["before"] + 1:
            s.failures.append(f"step: the counter moved on after {r['before']} + 1")
    r = await s.click("play")
    if r.get("timeout") or r.get("error"):
        s.failures.append(f"play: {r}")
    else:
        s.clicks["play"].append(r["s"])


async def click_loop(s: Session, deadline: float, rng: random.Random) -> None:
    while time.monotonic() < deadline - 6:  # a round takes ~3-6 s
        await asyncio.sleep(rng.uniform(0.5, 2.5))
        await click_round(s)


async def pause_all(sessions: list[Session]) -> None:
    async def one(s: Session) -> None:
        if await s.playing():
            await s.click("pause")
    await asyncio.gather(*(one(s) for s in sessions))


class Classroom:
    """Opens and closes sessions of one kind against one server."""

    def __init__(self, servers: Servers, args, browser=None, log=print):
        self.servers, self.args, self.browser, self.log = servers, args, browser, log
        self.failed: list[str] = []

    async def open_one(self, i: int) -> Session:
        url, route = self.servers.url, self.servers.route(i)
        if self.browser is not None:
            return await BrowserSession.open(self.browser, url, i,
                                             stub=not self.args.render_charts,
                                             timeout=self.args.page_timeout, route=route)
        return await ProtocolSession.open(url, i, timeout=self.args.page_timeout,
                                          interval=self.args.interval, route=route)

    async def open(self, n: int, verbose: bool = False) -> tuple[list[Session], int]:
        """N sessions, ``open_parallel`` at a time; returns those that opened (a session
        that shows no readout within ``page_timeout`` is noted in ``self.failed``) and how
        many of them play."""
        gate = asyncio.Semaphore(self.args.open_parallel)
        t0 = time.monotonic()
        self.failed: list[str] = []

        async def opened(i: int) -> Session | None:
            async with gate:
                try:
                    s = await self.open_one(i)
                except Exception as exc:  # a timeout under overload is a result, not a crash
                    self.failed.append(f"session {i} did not open: {str(exc)[:120]}")
                    return None
            if verbose:
                self.log(f"  session {i} open at {time.monotonic() - t0:.1f} s")
            return s

        sessions = [s for s in await asyncio.gather(*(opened(i) for i in range(n))) if s]
        moving = await asyncio.gather(*(s.wait_moving() for s in sessions))
        return sessions, sum(moving)

    async def leave(self, sessions: list[Session]) -> dict:
        """Everyone closes; wait out the TTL; let Streamlit reap: RSS trace and after."""
        await asyncio.gather(*(s.close() for s in sessions))
        t_close, trace = time.monotonic(), []
        while time.monotonic() - t_close < self.args.ttl + 2:
            trace.append((round(time.monotonic() - t_close, 1), round(self.servers.rss(), 1)))
            await asyncio.sleep(1)
        await reap(self.servers)
        return {"trace": trace, "after": await settle_rss(self.servers, 3)}


# -- the measurement ----------------------------------------------------------------------
async def _play_phase(sessions: list[Session], servers: Servers, seconds: float,
                      out: dict) -> None:
    cpu0, t0 = cpu_snapshot(servers.pids), time.monotonic()
    readouts0, lasts0 = _frame_counts(sessions)
    steps0 = await asyncio.gather(*(s.step() for s in sessions))
    load0 = os.getloadavg()[0]
    await asyncio.sleep(seconds)
    steps1 = await asyncio.gather(*(s.step() for s in sessions))
    elapsed = time.monotonic() - t0
    cpu1 = cpu_snapshot(servers.pids)
    rates = {k: (cpu1[k] - cpu0[k]) / elapsed for k in cpu0}
    out["server_cpu_per_s"] = rates["server"]
    out["client_cpu_per_s"] = rates["browser"] + rates["me"]
    out["other_cpu_per_s"] = max(0.0, rates["machine"] - rates["server"] - rates["browser"]
                                 - rates["me"])
    out["loadavg_play"] = (load0, os.getloadavg()[0])
    # A frame is drawn when its last chart arrives; a frame whose messages were still queued
    # when the next tick's run started lost them (Streamlit drops a fragment's unsent
    # messages when it reruns; playground/views/live.py waits for them to be sent).
    readouts1, lasts1 = _frame_counts(sessions)
    started, drawn = readouts1 - readouts0, lasts1 - lasts0
    out["frames_lost_fraction"] = max(0.0, 1 - drawn / started) if started else None
    out["steps_per_s"] = [(b - a) / elapsed for a, b in zip(steps0, steps1, strict=True)]
    out["pace"] = await probe(servers)  # per replica: sessions counted, their cost, the pace
    logs = await asyncio.gather(*(s.log() for s in sessions))
    nows = await asyncio.gather(*(s.now() for s in sessions))
    out["frames_per_s"] = [sum(1 for e in lg if e[0] >= now - elapsed) / elapsed
                           for lg, now in zip(logs, nows, strict=True)]


LAST_CHART = "net-hist"  # the Network page's last live view: its arrival ends a frame


def _frame_counts(sessions: list[Session]) -> tuple[int, int]:
    """Frames begun (readouts) and frames drawn to the end (last chart) received so far, over
    the protocol clients (browsers: 0, 0)."""
    begun = drawn = 0
    for s in sessions:
        client = getattr(s, "client", None)
        if client is not None:
            begun += len(client.log)
            drawn += client.charts[LAST_CHART]
    return begun, drawn


async def _measure(servers: Servers, args, out: dict, log) -> None:
    async with contextlib.AsyncExitStack() as stack:
        browser = None
        if args.client == "browser":
            from playwright.async_api import async_playwright

            pw = await stack.enter_async_context(async_playwright())
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=CHROMIUM_ARGS)
            stack.push_async_callback(browser.close)
        room = Classroom(servers, args, browser, log)
        n = args.sessions
        out["rss_bare_mb"] = servers.rss()
        warm = []  # one warm-up session per replica: imports, caches
        for k in range(len(servers.pids)):
            s = await room.open_one(k)
            await s.wait_moving()
            warm.append(s)
        await asyncio.sleep(2)
        await room.leave(warm)
        out["rss_baseline_mb"] = await settle_rss(servers, 2)
        log(f"baseline RSS {out['rss_baseline_mb']:.0f} MB; opening {n} sessions")

        sampler = RssSampler(servers)
        sampler.start()
        t_open = time.monotonic()
        sessions, out["sessions_moving_after_open"] = await room.open(n, verbose=True)
        out["open_failures"] = list(room.failed)
        out["sessions_opened"] = len(sessions)
        if not sessions:
            raise RuntimeError(f"no session opened: {room.failed[:3]}")
        out["open_s"] = time.monotonic() - t_open
        log(f"{n} sessions open and playing after {out['open_s']:.1f} s")
        await _play_phase(sessions, servers, args.seconds / 2, out)
        log(f"playing: {statistics.median(out['steps_per_s']):.0f} steps/s per session, "
            f"server CPU {out['server_cpu_per_s']:.2f} cores")

        deadline = time.monotonic() + args.seconds / 2
        await asyncio.gather(*(click_loop(s, deadline, random.Random(s.i)) for s in sessions))
        await pause_all(sessions)
        out["rss_peak_mb"] = sampler.stop()
        out["rss_idle_mb"] = await settle_rss(servers, 3)
        out["trainers_idle"] = await live_trainers(servers)
        logs = await asyncio.gather(*(s.log() for s in sessions))
        _collect(sessions, logs, out)
        log(f"idle RSS {out['rss_idle_mb']:.0f} MB; everyone leaves")

        released = await room.leave(sessions)
        out["rss_after_close_mb"], out["rss_after_close_trace"] = (released["after"],
                                                                  released["trace"])
        out["trainers_after_close"] = await live_trainers(servers)
        log(f"released: {out['trainers_after_close']} trainers alive, RSS "
            f"{out['rss_after_close_mb']:.0f} MB; a second class of {n}")
        again, out["second_class_moving"] = await room.open(n)
        out["second_class_opened"] = len(again)
        await asyncio.sleep(2)
        await pause_all(again)
        out["rss_idle_second_mb"] = await settle_rss(servers, 3)
        released = await room.leave(again)
        out["rss_after_second_mb"] = released["after"]
        out["trainers_after_second"] = await live_trainers(servers)


def _collect(sessions: list[Session], logs: list[list], out: dict) -> None:
    """Click latencies, failures and leakage from every session's log."""
    out["clicks"] = {k: [v for s in sessions for v in s.clicks[k]] for k in sessions[0].clicks}
    failures = list(out.get("open_failures", []))
    failures += [f"session {s.i}: {f}" for s in sessions for f in s.failures]
    for s in sessions:
        client = getattr(s, "client", None)
        failures += [f"session {s.i}: exception {e}" for e in getattr(client, "exceptions", [])]
    out["failures"] = failures
    leaks = []
    for s, lg in zip(sessions, logs, strict=True):
        mine = readout(s.exp)
        foreign = {tuple(e[2:5]) for e in lg} - {mine}
        if foreign:
            leaks.append(f"session {s.i} {mine} showed {sorted(foreign)[:3]}")
    out["leaks"] = leaks
    out["samples_checked"] = sum(len(lg) for lg in logs)
    out["sessions_with_clicks"] = sum(1 for s in sessions if s.clicks["step"])


def _run_in_thread(make_coro) -> None:
    """asyncio.run in a thread of its own: the caller may already have an event loop
    running (pytest with Playwright's sync API, for one)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make_coro())
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=target, name="load-test")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def run(sessions: int = 20, seconds: float = 30.0, ttl: int = 10, *, replicas: int = 1,
        client: str = "protocol", render_charts: bool = False, interval: float | None = None,
        open_parallel: int = 4, page_timeout: float = 90.0, log=print) -> dict:
    """The whole measurement (see the module docstring); returns the numbers as a dict."""
    if sessions < 1 or seconds < 10 or ttl < 1 or replicas < 1:
        raise ValueError(f"need sessions >= 1, seconds >= 10, ttl >= 1 and replicas >= 1; got "
                         f"{sessions}, {seconds}, {ttl} and {replicas}")
    if client not in ("protocol", "browser"):
        raise ValueError(f"client must be 'protocol' or 'browser', got {client!r}")
    if interval is not None and client != "protocol":
        raise ValueError("interval applies to protocol clients only (a browser follows the app)")
    args = argparse.Namespace(sessions=sessions, seconds=seconds, ttl=ttl, client=client,
                              render_charts=render_charts, interval=interval,
                              open_parallel=open_parallel, page_timeout=page_timeout)
    out: dict = {"sessions": sessions, "seconds": seconds, "ttl": ttl, "replicas": replicas,
                 "client": client, "interval": interval, "render_charts": render_charts,
                 "loadavg_start": os.getloadavg(), "cpus": os.cpu_count()}
    with _servers(replicas, ttl) as servers:
        _run_in_thread(lambda: _measure(servers, args, out, log))
    _summarise(out)
    return out


@contextlib.contextmanager
def _servers(replicas: int, ttl: int):
    """One replica reached directly, or ``replicas`` behind nginx (deploy/), each running
    the probe app; students are spread over the replicas by routing cookie."""
    extra = ("--server.disconnectedSessionTTL", str(ttl))
    with tempfile.TemporaryDirectory(prefix="pg-load-") as tmp:
        prefix = Path(tmp)

        def probe_env(name: str) -> dict[str, str]:
            folder = prefix / f"probe-{name}"
            folder.mkdir(exist_ok=True)
            return {"PLAYGROUND_LOAD_PROBE": str(folder)}

        if replicas == 1:
            rep = run_replicas.start_replica(
                "r0", run_replicas.free_port(), site=run_replicas.make_site(prefix),
                secret="load-test-secret", log_dir=prefix / "logs", app=PROBE_APP,
                extra_args=extra, env=probe_env("r0"))
            try:
                run_replicas.wait_healthy(rep.url, rep.proc, rep.log)
                yield Servers(rep.url, [rep.proc.pid], [rep.url], [prefix / "probe-r0"])
            finally:
                run_replicas.stop([rep.proc])
            return
        with run_replicas.deployment(replicas, prefix=prefix / "deploy", extra_args=extra,
                                     app=PROBE_APP, replica_env=probe_env) as dep:
            by_upstream: dict[str, str] = {}
            for k in range(256):  # a routing key for each replica, probed through nginx
                by_upstream.setdefault(dep.upstream_of(f"student-{k}"), f"student-{k}")
                if len(by_upstream) == replicas:
                    break
            reps = dep.replicas
            yield Servers(dep.url, [r.proc.pid for r in reps], [r.url for r in reps],
                          [prefix / f"probe-{r.name}" for r in reps],
                          [by_upstream[r.upstream] for r in reps])


def _summarise(out: dict) -> None:
    clicks = out["clicks"]
    every = [v for k in ("pause", "step", "play") for v in clicks[k]]
    out["click_p50_s"], out["click_p95_s"] = percentile(every, 50), percentile(every, 95)
    for k, v in clicks.items():
        out[f"{k}_p50_s"], out[f"{k}_p95_s"] = percentile(v, 50), percentile(v, 95)
    n = out["sessions_opened"]
    grown = out["rss_idle_mb"] - out["rss_baseline_mb"]
    out["rss_per_idle_session_mb"] = grown / n
    out["rss_returned_fraction"] = ((out["rss_idle_mb"] - out["rss_after_close_mb"]) / grown
                                    if grown > 0 else 1.0)
    out["rss_second_class_growth_mb"] = out["rss_idle_second_mb"] - out["rss_idle_mb"]
    out["steps_per_s_median"] = statistics.median(out["steps_per_s"])
    out["frames_per_s_median"] = statistics.median(out["frames_per_s"])
    out["server_cpu_per_session"] = out["server_cpu_per_s"] / n
    frames = sum(out["frames_per_s"])
    out["server_cpu_per_frame_s"] = out["server_cpu_per_s"] / frames if frames else None


def verdicts(r: dict) -> list[tuple[str, str, str, bool]]:
    """(measure, measured, target, ok) rows."""
    p95, n = r["click_p95_s"], r["sessions"]
    grown = r["rss_idle_mb"] - r["rss_baseline_mb"]
    return [
        ("click latency p95 (Pause, Step, Play)", f"{p95:.2f} s" if p95 is not None else "-",
         f"< {TARGETS['p95_click_s']} s", p95 is not None and p95 < TARGETS["p95_click_s"]),
        ("sessions that showed another's numbers", str(len(r["leaks"])), "0", not r["leaks"]),
        ("clicks without their effect, errors", str(len(r["failures"])), "0",
         not r["failures"]),
        ("sessions advancing / clicked", f"{sum(v > 0 for v in r['steps_per_s'])} / "
         f"{r['sessions_with_clicks']} of {n}", "all",
         sum(v > 0 for v in r["steps_per_s"]) == n and r["sessions_with_clicks"] == n),
        *([] if r.get("frames_lost_fraction") is None else [
            ("frames computed but not drawn to the end",
             f"{100 * r['frames_lost_fraction']:.0f} %", "< 10 %",
             r["frames_lost_fraction"] < 0.1)]),
        ("RSS growth per idle session", f"{r['rss_per_idle_session_mb']:.1f} MB",
         f"< {TARGETS['rss_per_idle_session_mb']:.0f} MB",
         r["rss_per_idle_session_mb"] < TARGETS["rss_per_idle_session_mb"]),
        ("sessions alive after close + TTL", f"{r['trainers_after_close']} of {n}",
         f"<= {LINGER * r['replicas']}", r["trainers_after_close"] is not None
         and r["trainers_after_close"] <= LINGER * r["replicas"]),
        ("a 2nd class's growth once the 1st is released",
         f"{r['rss_second_class_growth_mb']:+.0f} MB", f"< {max(grown, 1) / 2:.0f} MB",
         r["rss_second_class_growth_mb"] < max(grown, 1) / 2),
    ]


def print_report(r: dict) -> bool:
    def fmt(v):
        return "-" if v is None else f"{v:.2f} s"

    pace = f", fragment every {r['interval']} s" if r.get("interval") else ""
    what = (f"protocol clients (server side only{pace})" if r["client"] == "protocol" else
            f"Chromium contexts, charts {'drawn' if r['render_charts'] else 'stubbed'}")
    where = "one replica" if r["replicas"] == 1 else f"{r['replicas']} replicas behind nginx"
    print(f"\n{r['sessions']} sessions as {what} on {where}, {r['seconds']:.0f} s, TTL "
          f"{r['ttl']} s; "
          f"{r['cpus']} CPUs, load average {r['loadavg_start'][0]:.1f} at start, "
          f"{r['loadavg_play'][1]:.1f} while playing")
    print(f"  clicks p50/p95: all {fmt(r['click_p50_s'])} / {fmt(r['click_p95_s'])}; "
          + "; ".join(f"{k} {fmt(r[f'{k}_p50_s'])} / {fmt(r[f'{k}_p95_s'])} "
                      f"(n={len(r['clicks'][k])})" for k in ("pause", "step", "play")))
    print(f"  pause: button says Play {fmt(r['pause_label_p50_s'])} / "
          f"{fmt(r['pause_label_p95_s'])}, last data-step change {fmt(r['pause_last_step_p50_s'])}"
          f" / {fmt(r['pause_last_step_p95_s'])} after the click")
    cut = r.get("frames_lost_fraction")
    cut_text = "" if cut is None else (f"; {100 * cut:.0f} % of frames computed but not drawn "
                                       "to the end")
    print(f"  per session while all play: {r['steps_per_s_median']:.0f} engine steps/s (min "
          f"{min(r['steps_per_s']):.0f}, max {max(r['steps_per_s']):.0f}), "
          f"{r['frames_per_s_median']:.1f} readouts/s{cut_text}")
    pace = r.get("pace") or []
    if pace and all(a.get("playing") for a in pace):
        print("  pacing (per replica): " + "; ".join(
            f"{a['playing']} playing, {1000 * a['pace_load_s'] / a['playing']:.0f} ms counted "
            f"per frame, frame every {a['interval_s']:.2f} s" for a in pace)
            + (f"; measured {1000 * r['server_cpu_per_frame_s']:.0f} ms server CPU per frame"
               if r.get("server_cpu_per_frame_s") else ""))
    print(f"  CPU while all play (cores): server {r['server_cpu_per_s']:.2f} "
          f"(= {r['server_cpu_per_session']:.3f} per session), clients "
          f"{r['client_cpu_per_s']:.2f}, rest of the machine {r['other_cpu_per_s']:.2f}")
    print(f"  server RSS: bare {r['rss_bare_mb']:.0f} MB, baseline {r['rss_baseline_mb']:.0f}, "
          f"peak {r['rss_peak_mb']:.0f}, {r['sessions']} idle {r['rss_idle_mb']:.0f}, after "
          f"close + TTL {r['rss_after_close_mb']:.0f} (back to the OS: "
          f"{100 * r['rss_returned_fraction']:.0f} %); 2nd class idle "
          f"{r['rss_idle_second_mb']:.0f}, after it left {r['rss_after_second_mb']:.0f}")
    print(f"  live trainers: idle {r['trainers_idle']}, after close + TTL "
          f"{r['trainers_after_close']}, after the 2nd class {r['trainers_after_second']}; "
          f"readout samples checked for leakage: {r['samples_checked']}")
    for line in r["failures"][:10] + r["leaks"][:10]:
        print(f"    ! {line}")
    ok = True
    print(f"\n  {'measure':<46} {'measured':>16}  {'target':>10}")
    for name, measured, target, passed in verdicts(r):
        ok &= passed
        print(f"  {name:<46} {measured:>16}  {target:>10}  {'PASS' if passed else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="measured time: half everyone playing, half clicking")
    parser.add_argument("--ttl", type=int, default=10,
                        help="server.disconnectedSessionTTL for the run, seconds")
    parser.add_argument("--replicas", type=int, default=1,
                        help="app processes; more than 1 run behind nginx (deploy/), students "
                             "spread over them by routing cookie")
    parser.add_argument("--client", choices=("protocol", "browser"), default="protocol",
                        help="protocol clients (the server's side) or Chromium contexts")
    parser.add_argument("--render-charts", action="store_true",
                        help="with --client browser: load the real plotly.js and draw")
    parser.add_argument("--interval", type=float, default=None,
                        help="with protocol clients: rerun the live fragment every INTERVAL s "
                             "instead of the app's own run_every (to try another pace)")
    parser.add_argument("--open-parallel", type=int, default=4,
                        help="sessions opened at the same time")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything FAILs")
    args = parser.parse_args()
    r = run(args.sessions, args.seconds, args.ttl, replicas=args.replicas, client=args.client,
            render_charts=args.render_charts, interval=args.interval,
            open_parallel=args.open_parallel)
    ok = print_report(r)
    line = json.dumps(r, default=str)
    print(line)
    if args.json:
        args.json.write_text(line + "\n")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
