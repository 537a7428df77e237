"""The Network page while it plays, measured in headless Chromium.

Starts ``streamlit run playground/app.py`` (and, for the load-time comparison,
``benchmarks/one_chart_page.py``), opens the page, which plays its default experiment
(spiral, 2x8 tanh, Adam) by itself, and measures:

1. **live** (``--duration`` s of play, no screenshots: they steal CPU from the page)

   * redraws per second of every live chart. Counted in the page: an init script
     (``page.add_init_script``) catches ``window.Plotly`` when plotly.min.js assigns it
     and wraps ``Plotly.react``; each resolved call is one redraw of that chart div
     (the live_chart component calls ``Plotly.react`` only when a chart's payload
     changed). "painted" counts distinct animation frames with a redraw of the chart;
     "max gap" is the longest time a chart went without a redraw;
   * fragment frames per second (changes of ``.pg-counter[data-step]`` seen by a
     ``requestAnimationFrame`` sampler) and engine steps per second (data-step
     advance over the wall time);
   * CPU seconds per second of the Streamlit server, the Chromium renderer, the rest of
     Chromium and of everything else on the machine (from /proc), the share of the
     page's main thread spent in long tasks, and the load average.

2. **shots + zoom** (still playing)

   * ``--shots`` screenshots of the charts' region (viewport 1400x1600 holds every chart;
     captured with CDP ``Page.captureScreenshot``, lossless PNG, ~3x quicker than
     ``page.screenshot()``, which matters: a slow capture slows the page it measures).
     A chart is *blank* in a screenshot when its div has no ``.main-svg`` or no drawn
     trace node (``g.trace``/``g.hm``) at that moment, or when less than 0.5 % of its
     plot area (the axes' box from ``gd._fullLayout._size``, inset 3 px) differs from
     the chart's background by more than 60 x *opacity* grey levels (at least 12).
     *Opacity* is read from the picture: the darkest pixel of the whole chart (axis text
     #333, ~204 levels) / 200. So grid lines (26 levels) never count as ink, a chart
     Streamlit has faded (its stale style: opacity 0.33 after 0.5 s) is faded, not blank,
     and an undrawn chart has neither. Drawn charts measure >= 1.5 % (lines) to ~65 %
     (the boundary heatmap). Faded charts are counted separately (information);
   * zoom: a real mouse box-zoom on the decision boundary (what a user does), then
     wait for >= 50 redraws of that chart and compare the axis ranges. Also reported:
     a programmatic ``Plotly.relayout`` zoom. plotly.js's ``uirevision`` only keeps
     *GUI* edits, so the next ``Plotly.react`` resets an API relayout by design; the
     mouse path is the one that matters and the one that PASS/FAIL uses;
   * re-mounts: every chart div and every ``[data-live-chart]`` root is tagged with a
     JS property before phase 1 and must still be the same node at the end.

3. **load**: time from navigation start to the first ``.main-svg`` inside a chart element
   that is visible (rAF poll of ``[data-live-chart] .main-svg`` or
   ``[data-testid=stPlotlyChart] .main-svg``, ``performance.now()`` based, so it starts
   at navigation start), median of ``--loads`` fresh loads (new browser context: cold
   cache) of the app and of ``benchmarks/one_chart_page.py``, interleaved.

4. **python**: the Python work of one frame of the Network page's fragment (train,
   build figures, encode the component payloads, JSON) timed in this process without
   Streamlit, to split the server's time per frame into "ours" and "Streamlit's".

5. **paths**: ``/paths?p_fn=rosenbrock&p_opt=gd,momentum,nesterov,adam,rmsprop&p_steps=500``;
   ``--paths-reps`` times one optimizer's learning-rate slider one notch (keyboard, round
   robin over the five, every value new to the page's cache). Measured from the keydown
   (``event.timeStamp``) to the first resolved ``Plotly.react`` of ``p-contour`` whose traces
   differ from before (the new path); target <= 300 ms for every change. Also: to script idle.

6. **landscape**: the Network page plays ``--landscape-train`` s, then its "Loss landscape"
   link (same session, so the trained network); resolution 41; ``--landscape-reps`` times
   the next random-direction seed (typed, Enter: the seed box has no +/- at its width), a new
   41x41 grid. Measured from the Enter keydown to the first ``Plotly.react`` of the
   ``ls-plane`` contour with a new grid (z sum / uirevision); target < 1 s.

Prints a summary table with targets and PASS/FAIL, then one JSON line. Everything has a
timeout (``--timeout`` for the whole run); servers, browser and contexts are closed on
the way out. Other processes on the machine skew all of this: the load average and their
CPU share during the live phase are printed.

    python benchmarks/bench_ui.py [--duration 20] [--shots 40] [--loads 5]
        [--phases live,shots,load,python,paths,landscape]   # a subset, e.g. --phases load
        [--query "ds=xor&lr=0.01"]          # another experiment, from the URL
        [--app path/to/app.py] [--env NAME=VALUE] [--streamlit-arg=--runner.postScriptGC=false]
                                            # A/B a patched copy or a server setting
        [--strict]                          # exit 1 when anything FAILs
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from _browser import e2e_conftest, launch_chromium, loadavg, time_limit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

APP = "playground/app.py"
BASELINE = "benchmarks/one_chart_page.py"
CHARTS = {  # short name -> (live_chart key, chart id)
    "diagram": ("net-top", "diagram"),
    "boundary": ("net-top", "boundary"),
    "loss": ("net-curves", "loss"),
    "accuracy": ("net-curves", "accuracy"),
    "grad_norms": ("net-curves", "grad_norms"),
    "weights": ("net-hist", "weights"),
    "gradients": ("net-hist", "gradients"),
}
MUST_BE_LIVE = ("boundary", "loss", "weights")
VIEWPORT = {"width": 1400, "height": 1600}
MIN_INK = 0.005  # share of plot-area pixels off the background below which a chart is blank
INK_LEVEL = 60  # grey-level difference that counts as ink (grid lines #e5e5e5 differ by 26)
TEXT_LEVEL = 200  # the darkest pixel of a fully opaque chart (axis text #333: 204)
LIVE_MIN_UPS = 1.0  # a chart is live at >= this many redraws/s ...
TARGET_UPS = 8.0  # the target for the required views (boundary, loss, histograms)
LIVE_MAX_GAP = 2.0  # ... and never more than this many seconds without one
ZOOM_REDRAWS = 50
MAX_RATIO = 1.5
MIN_SHOTS = 40
PHASES = ("live", "shots", "load", "python", "paths", "landscape")


def selector(name: str) -> str:
    key, chart = CHARTS[name]
    return f'[data-live-chart="{key}"] [data-chart-id="{chart}"]'


# --------------------------------------------------------------------------
# in-page instrumentation (runs before any page script)
# --------------------------------------------------------------------------

INIT_SCRIPT = r"""
(() => {
  if (window.__benchUI) return;
  const B = window.__benchUI = {
    firstElement: null, firstComponent: null, controls: null,
    firstSvg: null, firstVisible: null, firstReactStart: null, firstReactEnd: null,
    frame: 0, reacts: {}, reactErrors: 0, wrapped: false,
    sampling: false, steps: [], lastStep: null, missing: {}, stale: {}, faded: {}, sampled: 0,
    charts: {},
    longtasks: [],
  };
  const FIRST = '[data-live-chart] .main-svg, [data-testid="stPlotlyChart"] .main-svg';
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
          r.top < innerHeight && r.left < innerWidth)) return false;
    return !el.checkVisibility ||
      el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const sample = () => {
    B.sampled += 1;
    const c = document.querySelector('.pg-counter');
    const s = c ? Number(c.dataset.step) : null;
    if (s !== null && s !== B.lastStep) { B.steps.push([performance.now(), s]); B.lastStep = s; }
    for (const [name, sel] of Object.entries(B.charts)) {
      const gd = document.querySelector(sel);
      if (!gd || !gd._fullLayout || !gd.querySelector('.main-svg'))
        B.missing[name] = (B.missing[name] || 0) + 1;
      else {
        const box = gd.closest('[data-testid="stElementContainer"]');
        if (box && box.dataset.stale === 'true') B.stale[name] = (B.stale[name] || 0) + 1;
        // Streamlit fades stale elements (opacity -> 0.33 after 0.5 s): visible as a flicker
        if (box && Number(getComputedStyle(box).opacity) < 0.9)
          B.faded[name] = (B.faded[name] || 0) + 1;
      }
    }
  };
  const tick = () => {
    B.frame += 1;
    if (B.firstElement === null && document.querySelector('[data-testid="stElementContainer"]'))
      B.firstElement = performance.now();
    if (B.firstComponent === null && document.querySelector('.lc-root'))
      B.firstComponent = performance.now();
    // the Network page's controls (its form has the only number inputs)
    if (B.controls === null && document.querySelector('[data-testid="stNumberInput"]'))
      B.controls = performance.now();
    if (B.firstVisible === null) {
      for (const el of document.querySelectorAll(FIRST)) {
        if (B.firstSvg === null) B.firstSvg = performance.now();
        if (visible(el)) { B.firstVisible = performance.now(); break; }
      }
    }
    if (B.sampling) sample();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // the last user input (page clock): where a control-change latency starts
  for (const type of ['keydown', 'pointerdown']) {
    addEventListener(type, (e) => { B.lastInput = e.timeStamp; B.lastInputType = type; },
                     {capture: true, passive: true});
  }

  const keyOf = (gd) => {
    if (!gd || !gd.dataset) return '?';
    const root = gd.closest && gd.closest('[data-live-chart]');
    return `${root ? root.dataset.liveChart : '?'}/${gd.dataset.chartId || gd.id || '?'}`;
  };
  const wrap = (pl) => {
    if (!pl || pl.__benchWrapped || typeof pl.react !== 'function') return pl;
    const orig = pl.react;
    const react = function (gd, ...rest) {
      const t0 = performance.now();
      if (B.firstReactStart === null) B.firstReactStart = t0;
      const res = orig.call(this, gd, ...rest);
      const sync = performance.now() - t0;
      Promise.resolve(res).then(() => {
        const t = performance.now();
        if (B.firstReactEnd === null) B.firstReactEnd = t;
        const k = keyOf(gd);
        (B.reacts[k] = B.reacts[k] || []).push([t, sync, B.frame]);
        if (B.hook) { try { B.hook(k, gd, t, sync); } catch (e) { /* bench hook only */ } }
      }, () => { B.reactErrors += 1; });
      return res;
    };
    try {
      pl.react = react;
      B.wrapped = pl.react === react;
    } catch (e) { B.wrapped = false; }
    pl.__benchWrapped = true;
    return pl;
  };
  let P = window.Plotly;
  Object.defineProperty(window, 'Plotly', {
    configurable: true, enumerable: true, get: () => P, set: (v) => { P = wrap(v); },
  });
  if (P) P = wrap(P);

  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no long-task timing */ }
})();
"""

MARK = """(sels) => {
  const token = Math.random().toString(36).slice(2);
  window.__benchMarks = {token, gds: {}, roots: {}};
  for (const [name, sel] of Object.entries(sels)) {
    const gd = document.querySelector(sel);
    if (!gd) continue;
    gd.__benchMark = token;
    window.__benchMarks.gds[name] = gd;
    const root = gd.closest('[data-live-chart]');
    root.__benchMark = token;
    window.__benchMarks.roots[root.dataset.liveChart] = root;
  }
  window.__benchUI.charts = sels;
  return token;
}"""

CHECK_MARKS = """(sels) => {
  const m = window.__benchMarks, out = {};
  for (const [name, sel] of Object.entries(sels)) {
    const gd = document.querySelector(sel);
    out[name] = !!gd && gd === m.gds[name] && gd.__benchMark === m.token && gd.isConnected;
  }
  for (const [key, root] of Object.entries(m.roots)) {
    const now = document.querySelector(`[data-live-chart="${key}"]`);
    out[`root:${key}`] = now === root && root.__benchMark === m.token && root.isConnected;
  }
  return out;
}"""

START = """() => {
  const B = window.__benchUI;
  B.missing = {}; B.stale = {}; B.faded = {}; B.sampled = 0; B.sampling = true;
  return performance.now();
}"""

STOP = """() => {
  const B = window.__benchUI;
  B.sampling = false;
  return {now: performance.now(), reacts: B.reacts, steps: B.steps, missing: B.missing,
          stale: B.stale, faded: B.faded,
          sampled: B.sampled, longtasks: B.longtasks, wrapped: B.wrapped,
          reactErrors: B.reactErrors, lcStats: window.__liveChartStats || null};
}"""

STEP = """() => { const c = document.querySelector('.pg-counter');
                  return c ? Number(c.dataset.step) : null; }"""

REACT_COUNT = """(k) => (window.__benchUI.reacts[k] || []).length"""

# plot areas (page coordinates == screenshot coordinates; the page itself does not scroll:
# Streamlit scrolls its main container, which the tall viewport makes unnecessary) and a
# DOM check that each chart has drawn trace nodes right now
AREAS = """(sels) => {
  const out = {};
  for (const [name, sel] of Object.entries(sels)) {
    const gd = document.querySelector(sel);
    if (!gd || !gd._fullLayout || !gd._fullLayout._size) { out[name] = null; continue; }
    const r = gd.getBoundingClientRect(), s = gd._fullLayout._size;
    const drawn = gd.querySelectorAll(
      '.main-svg g.trace, .main-svg g.hm, .main-svg g.im image').length;
    let opacity = 1;  // what reaches the screen: Streamlit fades stale elements
    for (let el = gd; el && el.nodeType === 1; el = el.parentElement)
      opacity *= Number(getComputedStyle(el).opacity);
    out[name] = {x: r.x + s.l, y: r.y + s.t, width: s.w, height: s.h,
                 gx: r.x, gy: r.y, gw: r.width, gh: r.height, opacity,
                 stale: !!gd.closest('[data-stale="true"]'),
                 svg: !!gd.querySelector('.main-svg'), drawn};
  }
  return out;
}"""

RANGES = """(sel) => { const gd = document.querySelector(sel);
  return gd && gd._fullLayout ? [gd._fullLayout.xaxis.range.slice(),
                                 gd._fullLayout.yaxis.range.slice()] : null; }"""

API_ZOOM = """async (sel) => {
  const gd = document.querySelector(sel);
  const x = gd._fullLayout.xaxis.range, y = gd._fullLayout.yaxis.range;
  const q = (r) => [r[0] + (r[1] - r[0]) / 4, r[1] - (r[1] - r[0]) / 4];
  await window.Plotly.relayout(gd, {'xaxis.range': q(x), 'yaxis.range': q(y)});
  return [gd._fullLayout.xaxis.range.slice(), gd._fullLayout.yaxis.range.slice()];
}"""

LOAD_INFO = """() => {
  const B = window.__benchUI;
  const res = performance.getEntriesByType('resource')
    .filter((e) => /plotly/i.test(e.name))
    .map((e) => ({name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd,
                   size: e.encodedBodySize}));
  const nav = performance.getEntriesByType('navigation')[0];
  return {firstVisible: B.firstVisible, firstSvg: B.firstSvg,
          firstElement: B.firstElement, firstComponent: B.firstComponent,
          controls: B.controls, firstReactStart: B.firstReactStart, firstReactEnd: B.firstReactEnd,
          dcl: nav ? nav.domContentLoadedEventEnd : null, plotly: res};
}"""


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


# -- CPU accounting from /proc ------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _procs() -> dict[int, tuple[int, float, str]]:
    """pid -> (ppid, cpu seconds, cmdline) for every readable process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rfind(")") + 2 :].split()
        ppid, utime, stime = int(rest[1]), int(rest[11]), int(rest[12])
        out[int(d)] = (ppid, (utime + stime) / _TICK, cmd)
    return out


def _busy_total() -> float:
    """CPU seconds spent not idle on the whole machine since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / _TICK


def cpu_snapshot() -> dict[str, float]:
    procs = _procs()
    me = os.getpid()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    groups = {"streamlit": 0.0, "renderer": 0.0, "chromium_other": 0.0, "driver": 0.0}
    stack = list(children.get(me, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        _, cpu, cmd = procs[pid]
        if "streamlit" in cmd:
            groups["streamlit"] += cpu
        elif "chromium" in cmd or "chrome" in cmd:
            groups["renderer" if "--type=renderer" in cmd else "chromium_other"] += cpu
        else:
            groups["driver"] += cpu
    groups["bench"] = procs.get(me, (0, 0.0, ""))[1]
    groups["machine"] = _busy_total()
    return groups


def cpu_rates(a: dict, b: dict, seconds: float) -> dict[str, float]:
    rates = {k: max(0.0, b[k] - a[k]) / seconds for k in a}
    ours = sum(rates[k] for k in ("streamlit", "renderer", "chromium_other", "driver", "bench"))
    rates["others"] = max(0.0, rates["machine"] - ours)
    return rates


# -- screenshots --------------------------------------------------------------------------


def ink_fraction(img, area: dict, origin: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """(ink, fade) of one chart in a screenshot.

    ``fade`` estimates the chart's on-screen opacity from the picture itself: the darkest
    pixel of the whole chart (its axis labels are #333, ~204 grey levels off white) over
    TEXT_LEVEL. ``ink`` is the share of the plot area's pixels that differ from the
    chart's background by more than INK_LEVEL x fade grey levels (at least 12): grid lines
    (26 levels at full opacity) never count, a faded chart's lines still do, and a chart
    that is not drawn has neither text nor ink (fade ~0, ink 0).
    """
    from PIL import Image, ImageChops

    ox, oy = origin

    def box(x, y, w, h, inset):
        left, top = int(x - ox) + inset, int(y - oy) + inset
        right, bottom = int(x - ox + w) - inset, int(y - oy + h) - inset
        if left < 0 or top < 0 or right <= left or bottom <= top:
            return None
        if right > img.width or bottom > img.height:
            return None
        return (left, top, right, bottom)

    plot = box(area["x"], area["y"], area["width"], area["height"], 3)
    whole = box(area["gx"], area["gy"], area["gw"], area["gh"], 1)
    if plot is None or whole is None:
        return 0.0, 0.0
    # the chart's own background, seen in its top-left corner (paper, above the title line)
    bg = img.getpixel((whole[0] + 2, whole[1] + 2))

    def diff(b):
        crop = img.crop(b)
        return ImageChops.difference(crop, Image.new("RGB", crop.size, bg)).convert("L")

    fade = min(1.0, diff(whole).getextrema()[1] / TEXT_LEVEL)
    hist = diff(plot).histogram()
    level = max(12, round(INK_LEVEL * min(fade, float(area.get("opacity", 1.0)))))
    return sum(hist[level:]) / max(1, sum(hist)), fade


# --------------------------------------------------------------------------
# phases
# --------------------------------------------------------------------------


def wait_charts(page, timeout_ms: float) -> None:
    page.wait_for_function(
        "(sels) => Object.values(sels).every((s) => { const gd = document.querySelector(s);"
        " return gd && gd._fullLayout && gd.querySelector('.main-svg'); })",
        arg={n: selector(n) for n in CHARTS},
        timeout=timeout_ms,
    )


def ensure_playing(page, timeout_s: float = 15.0) -> bool:
    s0 = page.evaluate(STEP)
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        time.sleep(0.5)
        if (page.evaluate(STEP) or 0) > (s0 or 0):
            return True
    return False


def phase_live(page, args, result: dict) -> None:
    time.sleep(args.warmup)
    lav0 = loadavg()
    step0, w0 = page.evaluate(STEP), time.monotonic()
    t0 = page.evaluate(START)
    c0 = cpu_snapshot()
    time.sleep(args.duration)
    c1 = cpu_snapshot()
    data = page.evaluate(STOP)
    step1, w1 = page.evaluate(STEP), time.monotonic()
    t1 = data["now"]
    wall = w1 - w0
    win = (t1 - t0) / 1000.0

    charts = {}
    for name, (key, chart) in CHARTS.items():
        events = [e for e in data["reacts"].get(f"{key}/{chart}", []) if t0 < e[0] <= t1]
        times = [t0] + [e[0] for e in events] + [t1]
        gaps = [(b - a) / 1000.0 for a, b in zip(times, times[1:], strict=False)]
        charts[name] = {
            "ups": len(events) / win,
            "painted_ups": len({e[2] for e in events}) / win,
            "max_gap_s": max(gaps) if gaps else win,
            "react_ms_median": statistics.median([e[1] for e in events]) if events else None,
            "missing_frames": data["missing"].get(name, 0),
            "stale_share": data["stale"].get(name, 0) / max(1, data["sampled"]),
            "faded_share": data["faded"].get(name, 0) / max(1, data["sampled"]),
        }
    frames = [s for s in data["steps"] if t0 < s[0] <= t1]
    busy = 0.0
    for start, dur in data["longtasks"]:
        busy += max(0.0, min(start + dur, t1) - max(start, t0))
    result["live"] = {
        "seconds": wall,
        "charts": charts,
        "frames_per_s": len(frames) / win,
        "steps_per_s": ((step1 or 0) - (step0 or 0)) / wall,
        "steps_per_frame": ((step1 or 0) - (step0 or 0)) / max(1, len(frames)),
        "sampled_rafs_per_s": data["sampled"] / win,
        "longtask_share": busy / (t1 - t0),
        "cpu": cpu_rates(c0, c1, wall),
        "loadavg_before": lav0,
        "loadavg_after": loadavg(),
        "react_wrapped": data["wrapped"],
        "react_errors": data["reactErrors"],
        "component_stats": data["lcStats"],
    }


def phase_shots(page, args, result: dict, shot_dir: Path) -> None:
    from PIL import Image

    sels = {n: selector(n) for n in CHARTS}
    bsel = selector("boundary")
    bkey = "/".join(CHARTS["boundary"])
    out: dict = {}

    # (a) programmatic zoom: informational (plotly.js keeps only GUI edits across react)
    before = page.evaluate(RANGES, bsel)
    api = page.evaluate(API_ZOOM, bsel)
    n0 = page.evaluate(REACT_COUNT, bkey)
    with contextlib.suppress(Exception):
        page.wait_for_function(
            f"(k) => (window.__benchUI.reacts[k] || []).length >= {n0 + 5}",
            arg=bkey,
            timeout=20_000,
        )
    after = page.evaluate(RANGES, bsel)
    out["api_zoom"] = {
        "set": api,
        "after_5": after,
        "kept": _same_ranges(api, after),
        "took": not _same_ranges(api, before),
    }
    time.sleep(0.5)

    # (b) a user's box zoom with the mouse on the decision boundary
    area = page.evaluate(AREAS, {"boundary": bsel})["boundary"]
    x, y, w, h = area["x"], area["y"], area["width"], area["height"]
    before = page.evaluate(RANGES, bsel)
    page.mouse.move(x + 0.3 * w, y + 0.3 * h)
    page.mouse.down()
    page.mouse.move(x + 0.5 * w, y + 0.5 * h, steps=4)
    page.mouse.move(x + 0.7 * w, y + 0.7 * h, steps=4)
    page.mouse.up()
    page.mouse.move(5, 5)  # off the chart: no hover label, no hover work on every redraw
    time.sleep(0.4)
    zoomed = page.evaluate(RANGES, bsel)
    n_zoom = page.evaluate(REACT_COUNT, bkey)
    t_zoom = time.monotonic()

    # (c) screenshots while it plays (and while the zoom is being redrawn over)
    blank = {n: 0 for n in CHARTS}
    dimmed = {n: 0 for n in CHARTS}
    inks: dict[str, list[float]] = {n: [] for n in CHARTS}
    fades: dict[str, list[float]] = {n: [] for n in CHARTS}
    blank_shots, dimmed_shots, shots, saved_blank, saved_dim = 0, 0, 0, 0, 0
    blank_notes: list[dict] = []
    shot_times = []
    shot_dir.mkdir(parents=True, exist_ok=True)
    # CDP's own capture (lossless PNG) is ~3x quicker than page.screenshot() here, which
    # matters: a slow capture slows the page it is measuring
    try:
        cdp = page.context.new_cdp_session(page)
    except Exception:  # noqa: BLE001 - fall back to Playwright's screenshot
        cdp = None

    def capture(clip: dict | None) -> bytes:
        if cdp is not None:
            params: dict = {"format": "png", "optimizeForSpeed": True}
            if clip:
                params["clip"] = {**clip, "scale": 1}
            return base64.b64decode(cdp.send("Page.captureScreenshot", params)["data"])
        return page.screenshot(clip=clip) if clip else page.screenshot()

    for i in range(args.shots):
        areas = page.evaluate(AREAS, sels)
        # only the charts' region: a smaller capture is quicker on a busy machine
        boxes = [a for a in areas.values() if a]
        clip = None
        if boxes:
            x0 = max(0.0, min(a["gx"] for a in boxes) - 4)
            y0 = max(0.0, min(a["gy"] for a in boxes) - 4)
            x1 = min(VIEWPORT["width"], max(a["gx"] + a["gw"] for a in boxes) + 4)
            y1 = min(VIEWPORT["height"], max(a["gy"] + a["gh"] for a in boxes) + 4)
            clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
        ts = time.monotonic()
        png = capture(clip)
        shot_times.append(time.monotonic() - ts)
        # the DOM opacity around the capture (the picture's own estimate, `fade`, is what
        # counts: Streamlit's stale fade is a transition and a capture takes a while)
        after = page.evaluate(AREAS, sels)
        for n, a in areas.items():
            if a and after.get(n):
                a["opacity"] = min(a["opacity"], after[n]["opacity"])
        img = Image.open(io.BytesIO(png)).convert("RGB")
        origin = (clip["x"], clip["y"]) if clip else (0.0, 0.0)
        shots += 1
        any_blank = any_dim = False
        why = {}
        for n in CHARTS:
            a = areas.get(n)
            ink, fade = ink_fraction(img, a, origin) if a else (0.0, 0.0)
            inks[n].append(ink)
            fades[n].append(fade)
            if ink < MIN_INK or not a or not a["svg"] or not a["drawn"]:
                blank[n] += 1
                any_blank = True
                why[n] = {"ink": ink, "fade": fade, "before": a, "after": after.get(n)}
            if a and min(a["opacity"], fade) < 0.9:
                dimmed[n] += 1
                any_dim = True
        blank_shots += any_blank
        dimmed_shots += any_dim
        if any_blank and len(blank_notes) < 5:
            blank_notes.append({"shot": i, "charts": why})
        if i < 2 or (any_blank and saved_blank < 5) or (any_dim and saved_dim < 3):
            tag = "blank" if any_blank else ("dimmed" if any_dim else "ok")
            (shot_dir / f"bench_ui-{i:02d}-{tag}.png").write_bytes(png)
            saved_blank += any_blank
            saved_dim += any_dim and not any_blank
        time.sleep(args.shot_gap)
    out.update(
        shots=shots,
        blank_shots=blank_shots,
        blank_by_chart=blank,
        dimmed_shots=dimmed_shots,
        dimmed_by_chart=dimmed,
        blank_notes=blank_notes,
        median_shot_s=statistics.median(shot_times) if shot_times else None,
        min_ink={n: min(v) if v else 0.0 for n, v in inks.items()},
        min_fade={n: min(v) if v else 0.0 for n, v in fades.items()},
        median_ink={n: statistics.median(v) if v else 0.0 for n, v in inks.items()},
    )

    # (d) zoom after >= 50 redraws of the boundary
    redraws = page.evaluate(REACT_COUNT, bkey) - n_zoom
    if redraws < ZOOM_REDRAWS:
        with contextlib.suppress(Exception):
            page.wait_for_function(
                f"(k) => (window.__benchUI.reacts[k] || []).length >= {n_zoom + ZOOM_REDRAWS}",
                arg=bkey,
                timeout=args.zoom_timeout * 1000,
            )
        redraws = page.evaluate(REACT_COUNT, bkey) - n_zoom
    final = page.evaluate(RANGES, bsel)
    out["mouse_zoom"] = {
        "before": before,
        "zoomed": zoomed,
        "final": final,
        "redraws": redraws,
        "seconds": time.monotonic() - t_zoom,
        "took": not _same_ranges(zoomed, before),
        "kept": _same_ranges(zoomed, final) and redraws >= ZOOM_REDRAWS,
    }
    result["shots"] = out


def _same_ranges(a, b, tol: float = 1e-6) -> bool:
    if not a or not b:
        return False
    return all(
        abs(float(p) - float(q)) <= tol * max(1.0, abs(float(p)))
        for ra, rb in zip(a, b, strict=True)
        for p, q in zip(ra, rb, strict=True)
    )


def one_load(browser, url: str, timeout_ms: float, controls: bool = False) -> dict:
    """Open ``url`` in a fresh context: when its first chart became visible (and with
    ``controls``, when the Network page's controls appeared), page clock, ms."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        wanted = "B.firstVisible !== null" + (" && B.controls !== null" if controls else "")
        page.wait_for_function(
            f"() => {{ const B = window.__benchUI; return B && {wanted}; }}",
            timeout=timeout_ms,
            polling=100,
        )
        return page.evaluate(LOAD_INFO)
    finally:
        context.close()


def phase_load(browser, urls: dict[str, str], args, result: dict) -> None:
    loads: dict[str, list[dict]] = {name: [] for name in urls}
    for url in urls.values():  # warm-up (server imports, first script run): not counted
        with contextlib.suppress(Exception):
            one_load(browser, url, 60_000)
    for _ in range(args.loads):
        for name, url in urls.items():  # interleaved, so load changes hit both alike
            try:
                loads[name].append(one_load(browser, url, args.load_timeout * 1000,
                                            controls=name == "app"))
            except Exception as err:  # noqa: BLE001 - a failed load is reported, not fatal
                loads[name].append({"error": str(err).splitlines()[0]})
    out = {}
    for name, runs in loads.items():
        ok = [r for r in runs if "error" not in r]
        first = [r["firstVisible"] for r in ok]
        out[name] = {
            "first_chart_ms": first,
            "median_ms": statistics.median(first) if first else None,
            "errors": [r["error"] for r in runs if "error" in r],
            "median_first_react_start_ms": _median([r["firstReactStart"] for r in ok]),
            "median_first_react_end_ms": _median([r["firstReactEnd"] for r in ok]),
            "median_first_element_ms": _median([r["firstElement"] for r in ok]),
            "median_first_component_ms": _median([r["firstComponent"] for r in ok]),
            "median_plotly_js_requested_ms": _median(
                [min((p["start"] for p in r["plotly"]), default=None) for r in ok]
            ),
            "median_plotly_js_loaded_ms": _median(
                [max((p["end"] for p in r["plotly"]), default=None) for r in ok]
            ),
            "median_dom_content_loaded_ms": _median([r["dcl"] for r in ok]),
            "median_controls_ms": _median([r["controls"] for r in ok]),
        }
    app, base = out["app"]["median_ms"], out["one_chart"]["median_ms"]
    out["ratio"] = app / base if app and base else None
    result["load"] = out


# -- paths and landscape: latency of a control change ------------------------------------------

PATHS_OPTS = ("gd", "momentum", "nesterov", "adam", "rmsprop")  # five optimizers with a lr slider
PATHS_STEPS = 500
PATHS_QUERY = f"p_fn=rosenbrock&p_opt={','.join(PATHS_OPTS)}&p_steps={PATHS_STEPS}"
PATHS_CHART = ("p-contour", "p-contour")
PATHS_TARGET_MS = 300.0
LANDSCAPE_CHART = ("ls-plane", "contour")
LANDSCAPE_RES = 41
LANDSCAPE_TARGET_MS = 1000.0
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"

# A signature of what a chart shows: every trace's length and last point (paths), or the sum
# of its contour/heatmap z (landscape), from plotly's decoded _fullData, plus uirevision.
SIGNATURE_JS = r"""
const __benchSig = (gd) => {
  if (!gd || !gd._fullData) return null;
  const parts = [String((gd.layout || {}).uirevision || '')];
  for (const t of gd._fullData) {
    if (t.z && (t.type === 'contour' || t.type === 'heatmap' || t.type === 'surface')) {
      let s = 0, n = 0;
      for (const row of t.z) for (const v of (row && row.length !== undefined ? row : [row]))
        if (Number.isFinite(Number(v))) { s += Number(v); n += 1; }
      parts.push(`z${n}:${s.toPrecision(12)}`);
    } else if (t.x && t.x.length) {
      const n = t.x.length;
      parts.push(`${t.name}:${n}:${Number(t.x[n - 1])}:${Number(t.y[n - 1])}`);
    }
  }
  return parts.join('|');
};
"""

SIGNATURE = "(sel) => {" + SIGNATURE_JS + " return __benchSig(document.querySelector(sel)); }"

# Arm a watcher: the first resolved Plotly.react of chart ``key`` whose signature differs
# from ``before`` is the redraw with the new data; also the first "script idle" after it.
ARM = "([key, before]) => {" + SIGNATURE_JS + r"""
  const B = window.__benchUI;
  const w = B.armed = {key, before, newAt: null, reactsAfter: 0, idleAt: null, sig: null};
  B.lastInput = null;
  B.hook = (k, gd, t, sync) => {
    if (k !== key || w.newAt !== null) return;
    w.reactsAfter += 1;
    const sig = __benchSig(gd);
    if (sig !== null && sig !== before) { w.newAt = t; w.sig = sig; w.reactMs = sync; }
  };
  const app = document.querySelector('[data-testid=stApp]');
  let running = false;
  const obs = new MutationObserver(() => {
    const st = app.dataset.testScriptState;
    if (st === 'running') running = true;
    else if (running && w.idleAt === null && st === 'notRunning') {
      w.idleAt = performance.now(); obs.disconnect();
    }
  });
  obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  w.stop = () => obs.disconnect();
  return performance.now();
}"""

ARMED = """() => { const B = window.__benchUI, w = B.armed || {};
  return {input: B.lastInput, inputType: B.lastInputType || null, newAt: w.newAt,
          idleAt: w.idleAt, reactsAfter: w.reactsAfter, reactMs: w.reactMs ?? null}; }"""

DISARM = """() => { const B = window.__benchUI; B.hook = null;
  if (B.armed && B.armed.stop) B.armed.stop(); B.armed = null; }"""


def _chart_sel(key: str, chart: str) -> str:
    return f'[data-live-chart="{key}"] [data-chart-id="{chart}"]'


def _wait_idle(page, timeout_ms: float) -> None:
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout_ms)


def _measure_change(page, chart: tuple[str, str], act, timeout_s: float) -> dict:
    """Arm the watcher, ``act()`` (one user input), wait (bounded) for the chart's first
    redraw with new data; return the latencies from the input event (page clock, ms)."""
    sel = _chart_sel(*chart)
    before = page.evaluate(SIGNATURE, sel)
    page.evaluate(ARM, ["/".join(chart), before])
    act()
    end = time.monotonic() + timeout_s
    st: dict = {}
    while time.monotonic() < end:
        st = page.evaluate(ARMED)
        if st["newAt"] is not None and st["idleAt"] is not None:
            break
        time.sleep(0.02)
    page.evaluate(DISARM)
    t_in = st.get("input")
    ok = t_in is not None and st.get("newAt") is not None
    out = {
        "ms": (st["newAt"] - t_in) if ok else None,
        "idle_ms": (st["idleAt"] - t_in) if t_in is not None and st.get("idleAt") else None,
        "reacts_before_new": st.get("reactsAfter"),
        "react_sync_ms": st.get("reactMs"),  # the new-data Plotly.react call itself
        "input": st.get("inputType"),
        "changed": ok,
    }
    with contextlib.suppress(Exception):  # settle before the next change (bounded)
        _wait_idle(page, 30_000)
    return out


def _summary(samples: list[dict]) -> dict:
    ms = [s["ms"] for s in samples if s["ms"] is not None]
    idle = [s["idle_ms"] for s in samples if s["idle_ms"] is not None]
    sync = [s["react_sync_ms"] for s in samples if s.get("react_sync_ms") is not None]
    return {
        "samples": samples,
        "n": len(samples),
        "n_measured": len(ms),
        "median_ms": statistics.median(ms) if ms else None,
        "max_ms": max(ms) if ms else None,
        "median_idle_ms": statistics.median(idle) if idle else None,
        "max_idle_ms": max(idle) if idle else None,
        "median_react_sync_ms": statistics.median(sync) if sync else None,
    }


def phase_paths(browser, app_url: str, args, result: dict, errors: list[str]) -> None:
    """Five optimizers x 500 steps on Rosenbrock; a learning-rate notch up or down on one
    optimizer per sample (round robin, every value new to the page's cache)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{app_url}/paths?{PATHS_QUERY}", wait_until="domcontentloaded",
                  timeout=60_000)
        page.locator(f"{_chart_sel(*PATHS_CHART)} .main-svg").first.wait_for(timeout=90_000)
        _wait_idle(page, 90_000)
        opts = page.locator(".pg-paths").first.get_attribute("data-opts")
        print(f"bench_ui: paths page open ({opts}, {PATHS_STEPS} steps); measuring", flush=True)
        samples = []
        for i in range(args.paths_reps):
            opt = PATHS_OPTS[i % len(PATHS_OPTS)]
            # small rates go down (GD on Rosenbrock diverges above ~2e-3), adaptive ones up
            key = "ArrowLeft" if opt in ("gd", "momentum", "nesterov") else "ArrowRight"
            thumb = page.locator(f".st-key-pw_lr_{opt}-en input[type=range]").first

            def act(thumb=thumb, key=key):
                thumb.focus()
                page.keyboard.press(key)

            s = _measure_change(page, PATHS_CHART, act, args.change_timeout)
            span = page.locator(".pg-paths").first
            s.update(opt=opt, key=key, server_ms=float(span.get_attribute("data-ms") or "nan"),
                     server_views_ms=float(span.get_attribute("data-ms-views") or "nan"))
            samples.append(s)
            print(f"  paths change {i + 1}: {opt} {key}: "
                  f"{_fmt_ms(s['ms'])} ms to the new path, {_fmt_ms(s['idle_ms'])} ms to idle"
                  f" (server: views {s['server_views_ms']:.0f} ms, page {s['server_ms']:.0f} ms;"
                  f" {s['reacts_before_new']} redraws before it)",
                  flush=True)
        span = page.locator(".pg-paths").first
        result["paths"] = {
            **_summary(samples),
            "query": PATHS_QUERY,
            "server_ms": float(span.get_attribute("data-ms") or "nan"),
            "server_views_ms": float(span.get_attribute("data-ms-views") or "nan"),
        }
    finally:
        context.close()


def phase_landscape(browser, app_url: str, args, result: dict, errors: list[str]) -> None:
    """The Network page trains for a few seconds, then the Loss landscape page (same session,
    through its link); resolution 41; each sample sets the next seed (a new random plane)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(app_url, wait_until="domcontentloaded", timeout=60_000)
        wait_charts(page, 90_000)
        ensure_playing(page)
        time.sleep(args.landscape_train)
        step = page.evaluate(STEP)
        page.get_by_role("link", name=re.compile("Loss landscape")).click()
        sel = _chart_sel(*LANDSCAPE_CHART)
        page.locator(f"{sel} .main-svg").first.wait_for(timeout=120_000)
        _wait_idle(page, 120_000)
        res = page.locator(".st-key-ls_res-en").first
        button = res.get_by_role("radio", name=str(LANDSCAPE_RES), exact=True)
        if button.get_attribute("aria-checked") != "true":
            button.click()
            page.wait_for_timeout(300)
            _wait_idle(page, 120_000)
            page.locator(f"{sel} .main-svg").first.wait_for(timeout=120_000)
        active = res.locator("[role=radio][aria-checked=true]").first.inner_text()
        print(f"bench_ui: landscape page open (trained {step} steps, resolution {active}); "
              "measuring", flush=True)
        # the seed box is narrow: Streamlit shows no +/- buttons, so type and commit (Enter;
        # the latency starts at the Enter keydown)
        seed_box = page.locator(".st-key-ls_seed-en input").first
        samples = []
        for i in range(args.landscape_reps):
            seed0 = seed_box.input_value()

            def act(new=str(int(seed0 or 0) + 1)):
                seed_box.fill(new)
                seed_box.press("Enter")

            s = _measure_change(page, LANDSCAPE_CHART, act, args.change_timeout)
            s.update(seed=seed_box.input_value(), seed_before=seed0)
            samples.append(s)
            print(f"  landscape click {i + 1}: seed {seed0} -> {s['seed']}: "
                  f"{_fmt_ms(s['ms'])} ms to the new contour, {_fmt_ms(s['idle_ms'])} ms to "
                  "idle", flush=True)
        result["landscape"] = {**_summary(samples), "trained_steps": step,
                               "resolution": active}
    finally:
        context.close()


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def phase_python(args, result: dict, query: dict) -> None:
    """Time one fragment frame's Python work (as in views/network.py ``_live``), no Streamlit."""
    import logging

    import numpy as np

    logging.disable(logging.WARNING)  # the component registers outside `streamlit run`
    from playground import builder, charts, state
    from playground.components.live_chart import build_component_data
    from playground.i18n import Translator
    from playground.views import network as net

    tr = Translator("en")
    exp, _ = state.from_query(query, lang="en")
    trainer, data = builder.build_trainer(exp)
    parts: dict[str, list[float]] = {}
    sizes = []

    def lap(key: str, t: float) -> float:
        now = time.perf_counter()
        parts.setdefault(key, []).append(now - t)
        return now

    for _ in range(args.python_frames):
        t = time.perf_counter()
        trainer.run(net.FRAME_BUDGET, max_steps=exp.steps_per_frame)
        t = lap("train", t)
        charts.readout(trainer.metrics(), tr=tr)
        model = trainer.model
        xs, ys, Z = builder.predict_plane(model, exp, data)
        top = {
            "diagram": charts.network_diagram(
                builder.layer_sizes(model, exp),
                builder.neuron_maps(model, exp, data),
                builder.kernels(model),
                input_names=[tr(f"feature.{f}") for f in exp.features],
                tr=tr,
            ),
            "boundary": charts.decision_boundary(
                xs,
                ys,
                Z,
                data.raw_train,
                data.y_train,
                data.raw_test if exp.show_test else None,
                data.y_test if exp.show_test else None,
                task=exp.task,
                discretize=exp.discretize,
                tr=tr,
            ),
        }
        h = trainer.history
        curves = {"loss": charts.loss_curves(h, tr=tr)}
        if exp.task == "classification":
            curves["accuracy"] = charts.accuracy_curves(h, tr=tr)
        curves["grad_norms"] = charts.grad_norms(h, tr=tr)
        hists = {
            "weights": charts.histograms_over_time(
                net._tail(h.weight_hist), h.weight_bins, kind="weights", tr=tr
            ),
            "gradients": charts.histograms_over_time(
                net._tail(h.grad_hist), h.grad_bins, kind="gradients", tr=tr
            ),
        }
        t = lap("figures", t)
        payloads = [
            build_component_data(figs, key=key, height=300, src="plotly.min.js")
            for key, figs in (("net-top", top), ("net-curves", curves), ("net-hist", hists))
        ]
        t = lap("payload", t)
        sizes.append(sum(len(json.dumps(p)) for p in payloads))
        lap("json", t)
    skip = min(10, args.python_frames // 3)
    med = {k: float(np.median(v[skip:])) * 1000 for k, v in parts.items()}
    result["python"] = {
        "ms": med,
        "total_ms": sum(med.values()),
        "payload_kb": float(np.median(sizes[skip:])) / 1000,
        "frames": args.python_frames,
        "steps": trainer.step_count,
    }


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def verdicts(r: dict) -> list[tuple[str, str, str, bool | None]]:
    """(what, measured, target, ok) rows; ok None = information only."""
    rows = []
    live = r.get("live")
    if live:
        for n, c in live["charts"].items():
            ok = c["ups"] >= LIVE_MIN_UPS and c["max_gap_s"] <= LIVE_MAX_GAP
            rows.append(
                (
                    f"redraws/s {n}",
                    f"{c['ups']:.2f}/s (painted {c['painted_ups']:.2f}, "
                    f"max gap {c['max_gap_s']:.2f}s)",
                    f">= {LIVE_MIN_UPS:g}/s, gap <= {LIVE_MAX_GAP:g}s"
                    + (" (required)" if n in MUST_BE_LIVE else ""),
                    ok,
                )
            )
        slowest = min(c["ups"] for n, c in live["charts"].items() if n in MUST_BE_LIVE)
        rows.append(("view updates/s (slowest required view)", f"{slowest:.2f}/s",
                     f">= {TARGET_UPS:g}/s", slowest >= TARGET_UPS))
        worst = max(live["charts"].items(), key=lambda kv: kv[1]["faded_share"])
        rows.append(
            (
                "time a chart is faded (stale)",
                f"{worst[1]['faded_share']:.0%} ({worst[0]})",
                "info",
                None,
            )
        )
        rows.append(("fragment frames/s", f"{live['frames_per_s']:.2f}", "timer: 10/s", None))
        rows.append(
            (
                "engine steps/s",
                f"{live['steps_per_s']:.1f} ({live['steps_per_frame']:.1f}/frame)",
                "info",
                None,
            )
        )
    shots = r.get("shots")
    if shots:
        rows.append(
            (
                "screenshots with a blank chart",
                f"{shots['blank_shots']} of {shots['shots']}",
                f"0 of >= {MIN_SHOTS}",
                shots["blank_shots"] == 0 and shots["shots"] >= MIN_SHOTS,
            )
        )
        mz = shots["mouse_zoom"]
        rows.append(
            (
                "screenshots with a faded (stale) chart",
                f"{shots['dimmed_shots']} of {shots['shots']}",
                "info",
                None,
            )
        )
        rows.append(
            (
                "mouse zoom on boundary kept",
                f"{'kept' if mz['kept'] else 'LOST'} after {mz['redraws']} redraws"
                + ("" if mz["took"] else " (zoom did not take)"),
                f"kept after >= {ZOOM_REDRAWS}",
                mz["kept"] and mz["took"],
            )
        )
        az = shots["api_zoom"]
        rows.append(
            (
                "Plotly.relayout zoom kept",
                "kept" if az["kept"] else "reset by next react (GUI edits only)",
                "info",
                None,
            )
        )
    if r.get("remount") is not None:
        bad = [k for k, v in r["remount"].items() if not v]
        rows.append(
            ("chart divs re-mounted", f"{len(bad)}" + (f" {bad}" if bad else ""), "0", not bad)
        )
    load = r.get("load")
    if load:
        a, b = load["app"]["median_ms"], load["one_chart"]["median_ms"]
        rows.append(("first chart, app (median)", f"{a:.0f} ms" if a else "n/a", "", None))
        rows.append(("first chart, one-chart page", f"{b:.0f} ms" if b else "n/a", "", None))
        c = load["app"].get("median_controls_ms")
        rows.append(("app's controls on screen (median)", f"{c:.0f} ms" if c else "n/a", "",
                     None))
        ratio = load["ratio"]
        rows.append(
            (
                "first chart ratio app / one-chart",
                f"{ratio:.2f}x" if ratio else "n/a",
                f"<= {MAX_RATIO}x",
                ratio is not None and ratio <= MAX_RATIO,
            )
        )
    for name, what, target in (
        ("paths", f"paths: control change -> new path drawn ({len(PATHS_OPTS)} opts x "
                  f"{PATHS_STEPS} steps)", PATHS_TARGET_MS),
        ("landscape", f"landscape: click -> new {LANDSCAPE_RES}x{LANDSCAPE_RES} contour drawn",
         LANDSCAPE_TARGET_MS),
    ):
        d = r.get(name)
        if not d:
            continue
        missed = d["n"] - d["n_measured"]
        rows.append(
            (
                what,
                f"median {_fmt_ms(d['median_ms'])} ms, max {_fmt_ms(d['max_ms'])} ms "
                f"(n={d['n_measured']}" + (f", {missed} not seen" if missed else "") + ")",
                f"max <= {target:g} ms" if name == "paths" else f"max < {target:g} ms",
                d["n_measured"] == d["n"] and d["max_ms"] is not None
                and (d["max_ms"] <= target if name == "paths" else d["max_ms"] < target),
            )
        )
        rows.append(
            (
                f"{name}: input -> script idle",
                f"median {_fmt_ms(d['median_idle_ms'])} ms, max {_fmt_ms(d['max_idle_ms'])} ms"
                f"; Plotly.react sync {_fmt_ms(d['median_react_sync_ms'])} ms",
                "info",
                None,
            )
        )
    return rows


def report(r: dict, args) -> bool:
    print()
    print(
        f"bench_ui: phases {args.phases}; Network page, default experiment"
        f"{' ?' + args.query if args.query else ''}"
        f", {args.duration:g}s of play, {os.cpu_count()} cores"
        + (f", streamlit args {' '.join(args.streamlit_arg)}" if args.streamlit_arg else "")
        + (f", app {args.app}" if args.app != APP else "")
        + (f", env {' '.join(args.env)}" if args.env else "")
    )
    print(
        f"load average: start {r['loadavg_start'][0]:.2f} {r['loadavg_start'][1]:.2f} "
        f"{r['loadavg_start'][2]:.2f}, end {r['loadavg_end'][0]:.2f} "
        f"{r['loadavg_end'][1]:.2f} {r['loadavg_end'][2]:.2f} (1/5/15 min)"
    )
    live = r.get("live")
    if live:
        cpu = live["cpu"]
        print(
            f"during the live phase: CPU cores busy -- streamlit {cpu['streamlit']:.2f}, "
            f"chromium renderer {cpu['renderer']:.2f}, chromium other "
            f"{cpu['chromium_other']:.2f}, playwright driver+bench "
            f"{cpu['driver'] + cpu['bench']:.2f}, other processes {cpu['others']:.2f} "
            f"(machine {cpu['machine']:.2f} of {os.cpu_count()})"
        )
        fps = max(live["frames_per_s"], 1e-9)
        print(
            f"  per fragment frame: streamlit CPU {1000 * cpu['streamlit'] / fps:.0f} ms, "
            f"renderer CPU {1000 * cpu['renderer'] / fps:.0f} ms; page main thread in long "
            f"tasks {live['longtask_share']:.0%} of the time"
        )
        print(
            "  chart            redraws/s  painted/s  max gap s  react ms (sync, median)  "
            "rAFs: no plot  stale  faded<0.9"
        )
        for n, c in live["charts"].items():
            rm = f"{c['react_ms_median']:.1f}" if c["react_ms_median"] is not None else "-"
            print(
                f"  {n:<16}{c['ups']:>10.2f}{c['painted_ups']:>11.2f}{c['max_gap_s']:>11.2f}"
                f"{rm:>25}{c['missing_frames']:>15}{c['stale_share']:>7.0%}"
                f"{c['faded_share']:>11.0%}"
            )
        if not live["react_wrapped"]:
            print("  WARNING: Plotly.react could not be wrapped; redraw counts are 0")
    shots = r.get("shots")
    if shots:
        print(
            "  plot-area ink per chart, min / median over screenshots: "
            + ", ".join(
                f"{n} {shots['min_ink'][n]:.3f}/{shots['median_ink'][n]:.3f}" for n in CHARTS
            )
        )
        print(
            "  on-screen opacity per chart (from the picture), min over screenshots: "
            + ", ".join(f"{n} {shots['min_fade'][n]:.2f}" for n in CHARTS)
        )
        print(
            f"  screenshots: {shots['shots']}, median capture {shots['median_shot_s']:.2f}s; "
            f"with a chart faded by Streamlit's stale style: {shots['dimmed_shots']} "
            f"({', '.join(f'{n} {v}' for n, v in shots['dimmed_by_chart'].items() if v)})"
        )
        mz = shots["mouse_zoom"]
        print(
            f"  boundary zoom: before {_fmt_ranges(mz['before'])} zoomed "
            f"{_fmt_ranges(mz['zoomed'])} after {mz['redraws']} redraws "
            f"({mz['seconds']:.1f}s) {_fmt_ranges(mz['final'])}"
        )
    load = r.get("load")
    if load:
        for name in ("app", "one_chart"):
            d = load[name]
            ms = ", ".join(f"{v:.0f}" for v in d["first_chart_ms"])
            print(
                f"  first chart {name:<9}: [{ms}] ms; medians: DOMContentLoaded "
                f"{_fmt_ms(d['median_dom_content_loaded_ms'])}, first element "
                f"{_fmt_ms(d['median_first_element_ms'])}, live_chart mounted "
                f"{_fmt_ms(d['median_first_component_ms'])}, plotly.js requested..loaded "
                f"{_fmt_ms(d['median_plotly_js_requested_ms'])}.."
                f"{_fmt_ms(d['median_plotly_js_loaded_ms'])}, first Plotly.react "
                f"{_fmt_ms(d['median_first_react_start_ms'])}"
                f"..{_fmt_ms(d['median_first_react_end_ms'])}"
                + (f"; errors: {d['errors']}" if d["errors"] else "")
            )
    py = r.get("python")
    if py:
        parts = ", ".join(f"{k} {v:.1f}" for k, v in py["ms"].items())
        print(
            f"  Python per frame (no Streamlit, median of {py['frames']}): "
            f"{py['total_ms']:.1f} ms ({parts}); payload {py['payload_kb']:.0f} kB JSON"
        )
    if r.get("paths"):
        d = r["paths"]
        print(
            f"  paths ({d['query']}): per change "
            + ", ".join(f"{x['opt']} {_fmt_ms(x['ms'])}/{_fmt_ms(x['idle_ms'])}"
                        for x in d["samples"])
            + f" ms (new path / idle); server script {d['server_ms']:.0f} ms "
            f"(views {d['server_views_ms']:.0f} ms) on the last run"
        )
    if r.get("landscape"):
        d = r["landscape"]
        print(
            f"  landscape (after {d['trained_steps']} steps, resolution {d['resolution']}): "
            "per click "
            + ", ".join(f"seed {x['seed']} {_fmt_ms(x['ms'])}/{_fmt_ms(x['idle_ms'])}"
                        for x in d["samples"])
            + " ms (new contour / idle)"
        )
    if r.get("page_errors"):
        print(f"  page errors: {r['page_errors'][:3]}")

    rows = verdicts(r) or [("(no browser phases run)", "-", "-", None)]
    print()
    w1 = max(len("measure"), *(len(x[0]) for x in rows)) + 2
    w2 = max(len("measured"), *(len(x[1]) for x in rows)) + 2
    w3 = max(len("target"), *(len(x[2]) for x in rows)) + 2
    print(f"{'measure':<{w1}}{'measured':<{w2}}{'target':<{w3}}result")
    print("-" * (w1 + w2 + w3 + 6))
    for what, measured, target, ok in rows:
        res = "-" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{what:<{w1}}{measured:<{w2}}{target:<{w3}}{res}")
    all_ok = all(ok for *_, ok in rows if ok is not None)
    print(f"\noverall: {'PASS' if all_ok else 'FAIL'}")
    return all_ok


def _fmt_ranges(rr) -> str:
    if not rr:
        return "n/a"
    return (
        "x["
        + ", ".join(f"{v:.2f}" for v in rr[0])
        + "] y["
        + ", ".join(f"{v:.2f}" for v in rr[1])
        + "]"
    )


def _fmt_ms(v) -> str:
    return "n/a" if v is None else f"{v:.0f}"


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of measured play")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of play before")
    parser.add_argument("--shots", type=int, default=MIN_SHOTS, help="screenshots (>= 40)")
    parser.add_argument("--shot-gap", type=float, default=0.2, help="seconds between shots")
    parser.add_argument("--loads", type=int, default=5, help="fresh page loads per page")
    parser.add_argument("--load-timeout", type=float, default=60.0, help="seconds per load")
    parser.add_argument(
        "--zoom-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for 50 boundary redraws after the zoom",
    )
    parser.add_argument(
        "--python-frames", type=int, default=60, help="frames for the Python-per-frame timing"
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma list of {','.join(PHASES)}",
    )
    parser.add_argument("--paths-reps", type=int, default=10, help="control changes (>= 5)")
    parser.add_argument("--landscape-reps", type=int, default=5, help="seed clicks (>= 3)")
    parser.add_argument(
        "--landscape-train", type=float, default=4.0, help="seconds of play before /landscape"
    )
    parser.add_argument(
        "--change-timeout", type=float, default=30.0, help="seconds to wait for one redraw"
    )
    parser.add_argument(
        "--query", default="", help="URL query for another experiment, e.g. 'ds=xor&lr=0.01'"
    )
    parser.add_argument(
        "--app",
        default=APP,
        help="Streamlit script that shows the Network page (e.g. a patched copy)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment variable for the app's server, repeatable",
    )
    parser.add_argument(
        "--streamlit-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra `streamlit run` argument for both servers, repeatable, "
        "e.g. --streamlit-arg=--runner.postScriptGC=false",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="overall limit, seconds")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything FAILs")
    args = parser.parse_args()
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = phases - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {sorted(unknown)}")

    conf = e2e_conftest()
    query = args.query.lstrip("?")
    result: dict = {
        "loadavg_start": loadavg(),
        "phases": sorted(phases),
        "query": query,
        "streamlit_args": args.streamlit_arg,
        "duration": args.duration,
        "app": args.app,
        "env": args.env,
    }
    print(f"bench_ui: load average at start {result['loadavg_start']}", flush=True)
    page_errors: list[str] = []
    with time_limit(args.timeout, "bench_ui"):
        if phases & {"live", "shots", "load", "paths", "landscape"}:
            from playwright.sync_api import sync_playwright

            with contextlib.ExitStack() as stack:
                extra = tuple(args.streamlit_arg)
                env = dict(e.split("=", 1) for e in args.env)
                app_url = stack.enter_context(
                    conf.streamlit_server(args.app, extra_args=extra, env=env)
                )
                base_url = (
                    stack.enter_context(conf.streamlit_server(BASELINE, extra_args=extra))
                    if "load" in phases
                    else None
                )
                pw = stack.enter_context(sync_playwright())
                browser = launch_chromium(pw, conf)
                stack.callback(browser.close)
                page_url = app_url + (f"/?{query}" if query else "")
                if phases & {"live", "shots"}:
                    context = browser.new_context(viewport=VIEWPORT)
                    context.add_init_script(INIT_SCRIPT)
                    page = context.new_page()
                    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
                    page.goto(page_url, wait_until="domcontentloaded", timeout=60_000)
                    wait_charts(page, 90_000)
                    if not ensure_playing(page):
                        page.get_by_role("button", name=re.compile("Play")).click()
                        ensure_playing(page)
                    print("bench_ui: page open and playing; measuring", flush=True)
                    page.evaluate(MARK, {n: selector(n) for n in CHARTS})
                    if "live" in phases:
                        phase_live(page, args, result)
                    if "shots" in phases:
                        phase_shots(page, args, result, conf.ARTIFACTS / "bench")
                    result["remount"] = page.evaluate(CHECK_MARKS, {n: selector(n) for n in CHARTS})
                    context.close()
                if "load" in phases:
                    print("bench_ui: fresh page loads", flush=True)
                    phase_load(browser, {"app": page_url, "one_chart": base_url}, args, result)
                if "paths" in phases:
                    print("bench_ui: paths page", flush=True)
                    phase_paths(browser, app_url, args, result, page_errors)
                if "landscape" in phases:
                    print("bench_ui: landscape page", flush=True)
                    phase_landscape(browser, app_url, args, result, page_errors)
        if "python" in phases:
            phase_python(args, result, dict(_parse_query(query)))
    result["loadavg_end"] = loadavg()
    result["page_errors"] = page_errors
    ok = report(result, args)
    result["pass"] = ok
    result["verdicts"] = [
        {"what": w, "measured": m, "target": t, "ok": o} for w, m, t, o in verdicts(result)
    ]
    print(json.dumps(result, default=_json_default, separators=(",", ":")))
    return 1 if (args.strict and not ok) else 0


def _parse_query(query: str):
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=True)


def _json_default(o):
    if hasattr(o, "item"):
        return o.item()
    return str(o)


if __name__ == "__main__":
    sys.exit(main())
