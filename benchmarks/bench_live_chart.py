"""Live chart vs st.plotly_chart: updates per second and blank charts, in headless Chromium.

Starts ``playground/demos/live_demo.py`` (the live-chart demo: one div per chart, updated
with ``Plotly.react``) and ``benchmarks/naive_live_page.py`` (the same state,
figures and ``st.fragment(run_every=...)``, drawn with ``st.plotly_chart``),
one after the other, presses Play in each and measures:

* fragment runs/s: how fast the step counter advances (the Python side);
* chart updates/s: in-page ``requestAnimationFrame`` sampler counting changes
  of each chart's drawn data (read from the Plotly graph div, found by title,
  so it works for both pages and counts only what really reached the screen);
* missing-frame share: animation frames in which a chart had no drawn plot
  (re-mounted, not yet drawn);
* blank-screenshot share: screenshots in which a chart's plot area shows no
  data (almost no pixels differ from the page background).

    python benchmarks/bench_live_chart.py [--seconds 15] [--interval 0.05] [--shots 30]
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
from _browser import e2e_conftest, launch_chromium

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "live_chart": "playground/demos/live_demo.py",
    "st.plotly_chart": "benchmarks/naive_live_page.py",
}
TITLES = ["Field", "Loss", "Weights"]
# A plot area counts as blank below this share of "ink" pixels (off the background by
# more than gridlines are). Drawn charts measure >= 0.015 (line) to 1.0 (heatmap) on both
# pages; an empty or not-yet-drawn plot area measures 0.
MIN_INK = 0.005

SAMPLER = """(titles) => {
  const fp = (gd) => {
    const t = gd._fullData && gd._fullData[0];
    if (!t) return null;
    let s = 0;
    if (t.type === "heatmap") {
      const z = t.z; if (!z || !z.length) return null;
      for (let i = 0; i < z.length; i++) s += z[i][i % z[i].length] * (i + 1);
      return `${z.length}:${s}`;
    }
    const y = t.y; if (!y) return null;
    for (let i = 0; i < y.length; i++) s += y[i] * (i + 1);
    return `${y.length}:${s}`;
  };
  const b = window.__bench = {frames: 0, changes: {}, missing: {}, last: {}, running: true};
  for (const t of titles) { b.changes[t] = 0; b.missing[t] = 0; }
  const tick = () => {
    b.frames += 1;
    const found = {};
    for (const gd of document.querySelectorAll(".js-plotly-plot")) {
      const title = gd._fullLayout && gd._fullLayout.title && gd._fullLayout.title.text;
      // st.plotly_chart's theme wraps titles in <b>
      if (title) found[title.replace(/<[^>]*>/g, "")] = gd;
    }
    for (const t of titles) {
      const f = found[t] ? fp(found[t]) : null;
      if (f === null) b.missing[t] += 1;
      else if (f !== b.last[t]) { b.changes[t] += 1; b.last[t] = f; }
    }
    if (b.running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

PLOT_AREAS = """(titles) => {
  const out = {};
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    const raw = gd._fullLayout && gd._fullLayout.title && gd._fullLayout.title.text;
    const title = (raw || "").replace(/<[^>]*>/g, "");
    if (!titles.includes(title)) continue;
    const r = gd.getBoundingClientRect(), s = gd._fullLayout._size;
    out[title] = {x: r.x + s.l, y: r.y + s.t, width: s.w, height: s.h};
  }
  return out;
}"""


def ink_fraction(img, box: dict) -> float:
    from PIL import Image, ImageChops

    left, top = int(box["x"]) + 2, int(box["y"]) + 2
    crop = img.crop((left, top, left + int(box["width"]) - 4, top + int(box["height"]) - 4))
    page_bg = img.getpixel((max(0, left - 6), max(0, top - 6)))
    diff = ImageChops.difference(crop, Image.new("RGB", crop.size, page_bg)).convert("L")
    hist = diff.histogram()
    return sum(hist[60:]) / max(1, sum(hist))


def counter(page) -> int:
    text = page.locator(".st-key-step_counter [data-testid=stText]").inner_text()
    return int(text.split()[1])


def measure(browser, conf, name: str, app: str, args) -> dict:
    from PIL import Image

    env = {"PLAYGROUND_LIVE_INTERVAL": str(args.interval)}
    with conf.streamlit_server(app, env=env) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        conf.open_app(page, url)
        page.wait_for_function(
            "(n) => document.querySelectorAll('.js-plotly-plot').length >= n", arg=len(TITLES)
        )
        page.locator(".st-key-playing label").click()
        time.sleep(2.0)  # warm-up: first frames, plotly.js parse

        # Phase 1: rates, no screenshots (they steal CPU from the page).
        page.evaluate(SAMPLER, TITLES)
        step0, t0 = counter(page), time.monotonic()
        time.sleep(args.seconds)
        stats = page.evaluate("() => { window.__bench.running = false; return window.__bench; }")
        step1, elapsed = counter(page), time.monotonic() - t0
        reacts = page.evaluate("() => window.__liveChartStats || null")

        # Phase 2: screenshots; plot areas are read before each one (a re-mounted chart
        # that is not drawn yet keeps its last known area).
        areas: dict[str, dict] = {}
        blank = {t: 0 for t in TITLES}
        inks: dict[str, list[float]] = {t: [] for t in TITLES}
        shots = 0
        shot_dir = conf.ARTIFACTS / "bench"
        shot_dir.mkdir(parents=True, exist_ok=True)
        for i in range(args.shots):
            areas.update(page.evaluate(PLOT_AREAS, TITLES))
            png = page.screenshot()
            img = Image.open(io.BytesIO(png)).convert("RGB")
            if i < 5:
                (shot_dir / f"{name.replace('.', '_')}-{i}.png").write_bytes(png)
            shots += 1
            for t in TITLES:
                ink = ink_fraction(img, areas[t]) if t in areas else 0.0
                inks[t].append(ink)
                if ink < MIN_INK:
                    blank[t] += 1
            time.sleep(args.shot_gap)
        page.locator(".st-key-playing label").click()
        context.close()

    frames = max(1, stats["frames"])
    return {
        "name": name,
        "runs_per_s": (step1 - step0) / elapsed,
        "ups": {t: stats["changes"][t] / elapsed for t in TITLES},
        "missing": {t: stats["missing"][t] / frames for t in TITLES},
        "blank": {t: blank[t] / shots for t in TITLES},
        "ink": {t: sorted(inks[t]) for t in TITLES},
        "fps": frames / elapsed,
        "reacts": reacts,
        "seconds": elapsed,
        "shots": shots,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measuring time per page")
    parser.add_argument("--interval", type=float, default=0.05, help="run_every of the fragment")
    parser.add_argument("--shots", type=int, default=30, help="screenshots per page")
    parser.add_argument("--shot-gap", type=float, default=0.2, help="seconds between shots")
    args = parser.parse_args()

    conf = e2e_conftest()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw, conf)
        try:
            results = [measure(browser, conf, name, app, args) for name, app in PAGES.items()]
        finally:
            browser.close()

    print(
        f"\nlive charts, {len(TITLES)} charts ({', '.join(TITLES)}), run_every={args.interval}s, "
        f"{args.seconds:.0f}s of play per page, {args.shots} screenshots per page\n"
    )
    head = f"{'page':<16}{'frag runs/s':>12}{'rAF fps':>9}  "
    head += "".join(f"{'ups ' + t:>13}" for t in TITLES)
    head += "".join(f"{'blank ' + t:>14}" for t in TITLES)
    head += "".join(f"{'missing ' + t:>16}" for t in TITLES)
    print(head)
    for r in results:
        line = f"{r['name']:<16}{r['runs_per_s']:>12.1f}{r['fps']:>9.0f}  "
        line += "".join(f"{r['ups'][t]:>13.1f}" for t in TITLES)
        line += "".join(f"{r['blank'][t]:>14.0%}" for t in TITLES)
        line += "".join(f"{r['missing'][t]:>16.1%}" for t in TITLES)
        print(line)
    print("\nink (share of plot-area pixels off the background) per screenshot, min / median:")
    for r in results:
        cells = [f"{t} {min(r['ink'][t]):.3f} / {np.median(r['ink'][t]):.3f}" for t in TITLES]
        print(f"  {r['name']:<16}" + "   ".join(cells))
    live, naive = results
    print()
    for t in TITLES:
        ratio = live["ups"][t] / naive["ups"][t] if naive["ups"][t] else float("inf")
        print(f"{t:<8} updates/s  live_chart / st.plotly_chart = {ratio:.2f}x")
    lcs = live["reacts"] or {}
    print(
        f"live_chart in the page since load: {lcs.get('received')} chart payloads received, "
        f"{lcs.get('coalesced')} superseded before drawing, {lcs.get('reacts')} Plotly.react calls"
    )


if __name__ == "__main__":
    main()
