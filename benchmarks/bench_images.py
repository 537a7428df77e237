"""The Images page while it plays, measured in headless Chromium.

Starts ``streamlit run playground/app.py`` (the e2e fixture's ``streamlit_server``), opens
``/images`` (the small CNN on the 8×8 digits by default, or ``--query``), lets it play
``--duration`` seconds (default 60) and reports:

* **epochs per minute**: training epochs completed while the views update, from the page's
  readout (``.pg-images[data-step]`` × ``data-bs`` / ``data-ntrain``); target >= 3;
* **view updates per second**: resolved ``Plotly.react`` calls per live chart, counted in the
  page by an init script that wraps ``Plotly.react`` (the live-chart component calls it only
  for charts whose payload changed), and fragment frames per second (changes of
  ``data-step`` seen by a ``requestAnimationFrame`` sampler);
* the test accuracy reached, and the load average before and after (other processes on the
  machine slow everything down: say so when quoting the numbers).

Then (``--python-frames``, no browser) the Python work of one live frame, timed in this
process: training for the frame budget, building the figures, encoding the payloads.

    python benchmarks/bench_images.py [--duration 60] [--query "i_stack=flatten,dense:64:relu"]
        [--speed 5] [--python-frames 100] [--strict]

Prints a summary with PASS/FAIL, then one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
VIEWPORT = {"width": 1400, "height": 1600}  # every chart on screen, so every chart paints
CHARTS = {"loss": ("img-curves", "loss"), "accuracy": ("img-curves", "accuracy"),
          "samples": ("img-preds", "samples"), "confusion": ("img-preds", "confusion"),
          "filters": ("img-inside", "filters"), "maps": ("img-inside", "maps")}
TARGET_EPOCHS_PER_MIN = 3.0

INIT_SCRIPT = r"""
(() => {
  if (window.__benchImg) return;
  const B = window.__benchImg = {reacts: {}, steps: [], last: null, sampling: false};
  const tick = () => {
    if (B.sampling) {
      const c = document.querySelector('.pg-images');
      const s = c ? Number(c.dataset.step) : null;
      if (s !== null && s !== B.last) { B.steps.push([performance.now(), s]); B.last = s; }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const keyOf = (gd) => {
    const root = gd && gd.closest && gd.closest('[data-live-chart]');
    const id = (gd && gd.dataset && gd.dataset.chartId) || '?';
    return `${root ? root.dataset.liveChart : '?'}/${id}`;
  };
  const wrap = (pl) => {
    if (!pl || pl.__benchWrapped || typeof pl.react !== 'function') return pl;
    const orig = pl.react;
    pl.react = function (gd, ...rest) {
      const res = orig.call(this, gd, ...rest);
      Promise.resolve(res).then(() => {
        if (!B.sampling) return;
        const k = keyOf(gd);
        B.reacts[k] = (B.reacts[k] || 0) + 1;
      });
      return res;
    };
    pl.__benchWrapped = true;
    return pl;
  };
  let P = window.Plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, enumerable: true,
                                           get: () => P, set: (v) => { P = wrap(v); }});
  if (P) P = wrap(P);
})();
"""

READ = """() => {
  const c = document.querySelector('.pg-images');
  if (!c) return null;
  const d = c.dataset;
  return {step: Number(d.step), epoch: Number(d.epoch), bs: Number(d.bs),
          ntrain: Number(d.ntrain), acc: Number(d.acc), playing: d.playing, t: performance.now()};
}"""


def phase_live(conf, args, result: dict) -> None:
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        app_url = stack.enter_context(conf.streamlit_server(APP))
        pw = stack.enter_context(sync_playwright())
        browser = launch_chromium(pw, conf)
        stack.callback(browser.close)
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        query = args.query.lstrip("?")
        if args.speed:
            query = "&".join(filter(None, [query, f"i_speed={args.speed}"]))
        page.goto(f"{app_url}/images" + (f"?{query}" if query else ""),
                  wait_until="domcontentloaded", timeout=60_000)
        for key, chart in CHARTS.values():
            page.locator(f'[data-live-chart="{key}"] [data-chart-id="{chart}"] .main-svg') \
                .first.wait_for(timeout=90_000)
        state = page.evaluate(READ)
        if state and state["playing"] != "1":
            page.get_by_role("button", name=re.compile("Play")).click()
        time.sleep(args.warmup)
        print(f"bench_images: playing; measuring {args.duration:.0f} s", flush=True)
        page.evaluate("() => { window.__benchImg.sampling = true; window.__benchImg.reacts = {};"
                      " window.__benchImg.steps = []; }")
        first = page.evaluate(READ)
        t0 = time.perf_counter()
        samples = [first]
        while time.perf_counter() - t0 < args.duration:
            time.sleep(1.0)
            samples.append(page.evaluate(READ))
        last = page.evaluate(READ)
        wall = time.perf_counter() - t0
        data = page.evaluate("() => { const B = window.__benchImg; B.sampling = false;"
                             " return {reacts: B.reacts, steps: B.steps}; }")
        context.close()
    steps = last["step"] - first["step"]
    epochs = steps * last["bs"] / max(last["ntrain"], 1)
    frames = len(data["steps"])
    reacts = {name: data["reacts"].get(f"{key}/{chart}", 0) / wall
              for name, (key, chart) in CHARTS.items()}
    gaps = [b[0] - a[0] for a, b in zip(data["steps"], data["steps"][1:], strict=False)]
    result.update({
        "wall_s": round(wall, 1), "steps": steps, "epochs": round(epochs, 2),
        "epochs_per_min": round(epochs / wall * 60, 2),
        "epoch_counter": [first["epoch"], last["epoch"]],
        "steps_per_s": round(steps / wall, 1), "frames_per_s": round(frames / wall, 2),
        "frame_gap_ms_median": round(statistics.median(gaps), 1) if gaps else None,
        "frame_gap_ms_max": round(max(gaps), 1) if gaps else None,
        "updates_per_s": {k: round(v, 2) for k, v in reacts.items()},
        "updates_per_s_total": round(sum(reacts.values()), 2),
        "test_accuracy": [round(first["acc"], 3), round(last["acc"], 3)],
        "batch_size": last["bs"], "n_train": last["ntrain"], "page_errors": errors,
    })


def phase_python(args, result: dict) -> None:
    """One live frame's Python work without Streamlit (train, figures, payload encoding)."""
    from playground import images_build as B
    from playground.components.live_chart import build_component_data
    from playground.i18n import Translator
    from playground.images_config import ImagesConfig
    from playground.views import images as page

    cfg = ImagesConfig(speed=args.speed or ImagesConfig.speed)
    data = B.load_data(cfg)
    sess = {"cfg": cfg, "data": data, "trainer": B.build_trainer(cfg, data), "version": 0,
            "views": None}
    tr = Translator("en")
    train, views, encode = [], [], []
    for _ in range(args.python_frames):
        t0 = time.perf_counter()
        sess["trainer"].run(page.FRAME_BUDGET, max_steps=cfg.speed)
        t1 = time.perf_counter()
        figs = page._views(sess, tr)
        t2 = time.perf_counter()
        for key, names in (("img-curves", ("loss", "accuracy")),
                           ("img-preds", ("samples", "confusion")),
                           ("img-inside", ("filters", "maps"))):
            json.dumps(build_component_data({n: figs[n] for n in names}, key=key, src=""))
        t3 = time.perf_counter()
        train.append(t1 - t0)
        views.append(t2 - t1)
        encode.append(t3 - t2)
    ms = {"train": statistics.median(train) * 1e3, "views": statistics.median(views) * 1e3,
          "encode": statistics.median(encode) * 1e3}
    ms["total"] = sum(ms.values())
    result["python_frame_ms"] = {k: round(v, 2) for k, v in ms.items()}
    result["python_epochs"] = round(sess["trainer"].step_count * cfg.batch_size
                                    / data.X_train.shape[0], 2)


def report(r: dict) -> bool:
    print()
    print(f"bench_images  (load average {r['loadavg_start']} -> {r['loadavg_end']}; "
          f"the machine may be shared: other processes slow every number below)")
    ok = True
    if "epochs_per_min" in r:
        good = r["epochs_per_min"] >= TARGET_EPOCHS_PER_MIN
        ok &= good
        print(f"  played {r['wall_s']} s: {r['steps']} steps = {r['epochs']} epochs "
              f"(batch {r['batch_size']}, {r['n_train']} training images)")
        print(f"  epochs per minute      {r['epochs_per_min']:>8}   target >= "
              f"{TARGET_EPOCHS_PER_MIN:g}   {'PASS' if good else 'FAIL'}")
        print(f"  steps per second       {r['steps_per_s']:>8}")
        print(f"  live frames per second {r['frames_per_s']:>8}   (median gap "
              f"{r['frame_gap_ms_median']} ms, longest {r['frame_gap_ms_max']} ms)")
        print(f"  view updates per second {r['updates_per_s_total']:>7} in all:")
        for name, v in r["updates_per_s"].items():
            print(f"      {name:<10} {v:>6}")
        print(f"  test accuracy {r['test_accuracy'][0]:.3f} -> {r['test_accuracy'][1]:.3f}")
        if r["page_errors"]:
            ok = False
            print(f"  page errors: {r['page_errors'][:3]}")
    if "python_frame_ms" in r:
        p = r["python_frame_ms"]
        print(f"  Python per frame (median of {r['python_frames']}): train {p['train']} ms, "
              f"figures {p['views']} ms, encode {p['encode']} ms, total {p['total']} ms")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of measured play")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of play before")
    parser.add_argument("--query", default="", help="extra URL query, e.g. 'i_bs=64'")
    parser.add_argument("--speed", type=int, default=0,
                        help="steps per frame (default: the page's own)")
    parser.add_argument("--python-frames", type=int, default=100,
                        help="frames for the Python-only timing (0: skip)")
    parser.add_argument("--no-browser", action="store_true", help="only the Python timing")
    parser.add_argument("--timeout", type=float, default=400.0, help="overall limit, seconds")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything FAILs")
    args = parser.parse_args()
    result: dict = {"loadavg_start": loadavg(), "duration": args.duration, "query": args.query,
                    "python_frames": args.python_frames}
    with time_limit(args.timeout, "bench_images"):
        if not args.no_browser:
            phase_live(e2e_conftest(), args, result)
        if args.python_frames:
            phase_python(args, result)
    result["loadavg_end"] = loadavg()
    ok = report(result)
    result["pass"] = ok
    print(json.dumps(result, separators=(",", ":")))
    return 1 if (args.strict and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
