"""playground/app.py plus a probe for benchmarks/load_test.py: how many trainers are alive.

With ``PLAYGROUND_LOAD_PROBE=<dir>`` set, a daemon thread waits for ``<dir>/probe.request``;
when it appears, the thread runs ``gc.collect()``, counts the live ``engine.Trainer``
objects (one per Network-page session) and writes ``{"trainers": n, ...}`` (with what
``playground.pacing`` counts: sessions playing, their frames' cost, the pace) to
``<dir>/probe.json``. It acts only on request, so it costs nothing while load is measured.
Everything else is the app itself, run as ``streamlit run`` would run it.
"""

from __future__ import annotations

import gc
import json
import os
import runpy
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PROBE_ENV = "PLAYGROUND_LOAD_PROBE"


def _serve(folder: Path) -> None:
    import engine
    from playground import pacing

    request = folder / "probe.request"
    while True:
        if request.exists():
            gc.collect()
            n = sum(1 for o in gc.get_objects() if isinstance(o, engine.Trainer))
            tmp = folder / "probe.json.tmp"
            tmp.write_text(json.dumps({"trainers": n, "time": time.time(),
                                       "playing": pacing.playing(), "pace_load_s": pacing.load(),
                                       "interval_s": pacing.interval(0.1)}))
            os.replace(tmp, folder / "probe.json")
            request.unlink(missing_ok=True)
        time.sleep(0.2)


def _start() -> None:
    folder = os.environ.get(PROBE_ENV)
    if folder and not any(t.name == "load-probe" for t in threading.enumerate()):
        threading.Thread(target=_serve, args=(Path(folder),), name="load-probe",
                         daemon=True).start()


_start()
runpy.run_path(str(ROOT / "playground" / "app.py"), run_name="__main__")
