"""How often a live view may ask for a frame, so that a busy server keeps up and stays
responsive to clicks.

A fragment with ``run_every`` is rerun by the browser's timer whether or not the previous
frame has finished; a tick that arrives during a frame is queued, and the next frame starts
the moment the previous one returns. When every session's frames queue up like that, the
server's one core for Python (the GIL) is always busy and a click waits behind everyone's
frames: with 20 sessions on one replica at 0.1 s, clicks took 6 s at the 95th percentile.

Each live frame reports itself and what it cost with :func:`frame`; a page asks
:func:`interval` when it registers its fragment, and :func:`needs_new_interval` inside the
fragment tells it when the pace it registered with no longer fits (then a full rerun
registers the new one). The pace keeps the frames of every session playing in this
process within ``UTILISATION`` of one core. Costs are each session's own measured CPU
per frame (a big network costs more than a small one), times ``OVERHEAD`` for what the
server does outside the script (serialising and sending the frame). No streamlit here;
thread-safe.
"""

from __future__ import annotations

import threading
import time

__all__ = ["FRAME_COST", "OVERHEAD", "STALE", "UTILISATION", "forget", "frame", "interval",
           "load", "needs_new_interval", "playing"]

FRAME_COST = 0.02  # server seconds for a frame not yet measured (load_test: ~18 ms, Network)
OVERHEAD = 1.4  # server CPU per frame / the frame's own thread CPU (load_test.py measured)
UTILISATION = 0.7  # share of one core the live frames may use together
STALE = 5.0  # a session without a frame for this long is no longer counted as playing
_RETUNE = 1.5  # re-register when the wanted pace differs by more than this factor
_SMOOTH = 0.3  # weight of the newest frame in a session's running cost

_lock = threading.Lock()
_sessions: dict[object, tuple[float, float]] = {}  # session -> (last frame time, cost)


def frame(session: object, cost: float | None = None, now: float | None = None) -> None:
    """Record that ``session`` (any hashable) just drew a live frame whose script took
    ``cost`` seconds of CPU (None: not measured, :data:`FRAME_COST` is assumed)."""
    t = time.monotonic() if now is None else now
    c = FRAME_COST if cost is None else max(float(cost), 0.0) * OVERHEAD
    with _lock:
        old = _sessions.get(session)
        _sessions[session] = (t, c if old is None else (1 - _SMOOTH) * old[1] + _SMOOTH * c)


def forget(session: object) -> None:
    """``session`` stopped playing (Pause, divergence): stop counting it at once."""
    with _lock:
        _sessions.pop(session, None)


def _fresh(now: float | None) -> dict[object, float]:
    """Costs of the sessions that drew a frame in the last ``STALE`` seconds (lock held)."""
    t = time.monotonic() if now is None else now
    for key in [k for k, (last, _) in _sessions.items() if t - last > STALE]:
        del _sessions[key]
    return {k: c for k, (_, c) in _sessions.items()}


def playing(now: float | None = None) -> int:
    """Sessions of this process that drew a frame in the last ``STALE`` seconds."""
    with _lock:
        return len(_fresh(now))


def load(now: float | None = None) -> float:
    """Server seconds that one frame of every playing session costs together."""
    with _lock:
        return sum(_fresh(now).values())


def interval(base: float, session: object = None, now: float | None = None) -> float:
    """Seconds between frames: ``base`` while the server is idle, longer as sessions play.
    ``session``, when given and not yet counted, is counted at :data:`FRAME_COST`."""
    if not base > 0:
        raise ValueError(f"base interval must be a positive number of seconds, got {base!r}")
    with _lock:
        costs = _fresh(now)
        total = sum(costs.values())
        if session is not None and session not in costs:
            total += FRAME_COST
    return max(float(base), total / UTILISATION)


def needs_new_interval(registered: float, base: float, session: object = None,
                       now: float | None = None) -> bool:
    """True when the pace a fragment registered with is off by more than 1.5x either way."""
    wanted = interval(base, session, now)
    return wanted > _RETUNE * registered or (registered > base and
                                             wanted * _RETUNE < registered)
