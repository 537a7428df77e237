"""How often a live view may ask for a frame, so that a busy server keeps finishing frames.

A fragment with ``run_every`` is rerun by the browser's timer, and a rerun request that
arrives while the previous frame is still running interrupts that frame at its next
Streamlit call (it ends ``FINISHED_EARLY_FOR_RERUN``: trained, never drawn). When frames
take longer than the interval, which is what a full server does, no frame ever finishes.
Measured with benchmarks/load_test.py on one replica at 0.1 s: 5 playing sessions had 6 %
of their frames interrupted, 10 sessions 99 %, 20 sessions all of them; 20 sessions at
0.5 s finished every frame.

Each live frame reports itself with :func:`frame`; a page asks :func:`interval` when it
registers its fragment, and :func:`needs_new_interval` inside the fragment tells it when
the pace it registered with no longer fits (then a full rerun registers the new one).
The pace keeps the frames of every session playing in this process within
``UTILISATION`` of one core (a process's Python runs on one core at a time). No
streamlit here; thread-safe.
"""

from __future__ import annotations

import threading
import time

__all__ = ["FRAME_COST", "STALE", "UTILISATION", "forget", "frame", "interval",
           "needs_new_interval", "playing"]

FRAME_COST = 0.02  # seconds of server CPU per Network-page frame (load_test: ~18 ms)
UTILISATION = 0.7  # share of one core the live frames may use together
STALE = 5.0  # a session without a frame for this long is no longer counted as playing
_RETUNE = 1.5  # re-register when the wanted pace differs by more than this factor

_lock = threading.Lock()
_last: dict[object, float] = {}


def frame(session: object, now: float | None = None) -> None:
    """Record that ``session`` (any hashable, e.g. ``id(sess)``) just drew a live frame."""
    t = time.monotonic() if now is None else now
    with _lock:
        _last[session] = t


def forget(session: object) -> None:
    """``session`` stopped playing (Pause, divergence): stop counting it at once."""
    with _lock:
        _last.pop(session, None)


def playing(now: float | None = None) -> int:
    """Sessions of this process that drew a frame in the last ``STALE`` seconds."""
    t = time.monotonic() if now is None else now
    with _lock:
        for key in [k for k, last in _last.items() if t - last > STALE]:
            del _last[key]
        return len(_last)


def interval(base: float, now: float | None = None) -> float:
    """Seconds between frames: ``base`` while the server is idle, longer as sessions play."""
    if not base > 0:
        raise ValueError(f"base interval must be a positive number of seconds, got {base!r}")
    n = max(playing(now), 1)
    return max(float(base), n * FRAME_COST / UTILISATION)


def needs_new_interval(registered: float, base: float, now: float | None = None) -> bool:
    """True when the pace a fragment registered with is off by more than 1.5x either way."""
    wanted = interval(base, now)
    return wanted > _RETUNE * registered or (registered > base and
                                             wanted * _RETUNE < registered)
