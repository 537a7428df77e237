"""The live fragment every training page uses: a view that redraws itself on a timer while
its network trains, without losing frames and without flooding a shared server.

Two things Streamlit does not do for us:

- **Every computed frame reaches the browser.** When a fragment run starts, Streamlit drops
  the messages of that fragment's previous run that are still waiting in the session's
  queue. A timer tick that arrives during a frame starts the next frame the moment this one
  returns, before the server's event loop has sent the frame's last charts, so they were
  dropped: trained, never drawn (97 % of frames with 10 sessions on one replica). The
  script's messages reach that queue through the event loop, in order with the start of the
  next run, so even a frame that finished in time lost its last chart whenever the loop
  handled both before sending. Each frame ends with :func:`wait_sent`: it sleeps (no CPU)
  until the loop has queued and sent everything, at most ``SEND_WAIT``.
- **The pace fits the room.** ``run_every`` comes from :mod:`playground.pacing` and grows
  with the sessions playing in this process (each counted at its own measured cost), so
  their frames together stay within a share of one core and a click is served promptly. A
  fragment re-registers (one full rerun) when the room changes by more than 1.5x, at most
  every ``RETUNE_GAP`` seconds.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground import pacing

__all__ = ["FRAME_INTERVAL", "RETUNE_GAP", "SEND_WAIT", "live_fragment", "session_id",
           "wait_sent"]

FRAME_INTERVAL = 0.1  # seconds between live frames while playing on a quiet server
SEND_WAIT = 0.5  # at most this long at the end of a frame for it to be sent
RETUNE_GAP = 2.0  # seconds a registered pace stays before it may be changed
_POLL = 0.003


def _app_session():
    """This session's ``AppSession``, or None outside an app served to a browser (AppTest,
    bare mode).

    Streamlit has no public way to ask whether a session's messages were sent; this reads
    ``Runtime._session_mgr`` and ``AppSession``'s ``_browser_queue`` and ``_event_loop``.
    tests/playground/test_live.py checks they still exist, and the CI load test that frames
    arrive whole, so a Streamlit upgrade that moves them fails CI instead of silently losing
    frames again."""
    from streamlit.runtime import Runtime

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return None
    try:
        info = Runtime.instance()._session_mgr.get_active_session_info(ctx.session_id)
        session = None if info is None else info.session
        if session is not None:
            session._event_loop, session._browser_queue  # noqa: B018 - both must exist
    except AttributeError:  # AppTest's stand-in runtime, or other internals
        return None
    return session


def wait_sent(limit: float = SEND_WAIT) -> float:
    """Sleep (no CPU) until this session's messages so far have gone to the browser, at most
    ``limit`` seconds; returns the seconds waited.

    A script's messages reach the session's queue through callbacks on the server's event
    loop, handled in order; a callback posted now has run once they are all in the queue.
    Then the queue empties when the loop next sends it."""
    t0 = time.monotonic()
    session = _app_session()
    if session is None:
        return 0.0
    loop, queue = session._event_loop, session._browser_queue
    queued = threading.Event()
    try:
        loop.call_soon_threadsafe(queued.set)
    except RuntimeError:  # the loop is closed: the server is shutting down
        return 0.0
    queued.wait(limit)
    while not queue.is_empty() and time.monotonic() - t0 < limit:
        time.sleep(_POLL)
    return time.monotonic() - t0


def session_id() -> str:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else "bare"


def live_fragment(fn: Callable[..., None], *args, playing: bool,
                  base: float = FRAME_INTERVAL) -> None:
    """Run ``fn(*args)`` as a fragment here; while ``playing`` it reruns itself every
    ``pacing.interval(base)`` seconds, each frame ending with :func:`wait_sent`."""
    sid = session_id()
    name = f"{fn.__module__}.{fn.__qualname__}"
    paces = st.session_state.setdefault("_live_paces", {})
    if playing:
        registered = pacing.interval(base, sid)
        paces[name] = (registered, time.monotonic())
    else:
        registered = None
        paces.pop(name, None)
        pacing.forget(sid)

    @functools.wraps(fn)  # the fragment's identity is fn's, as if fn were registered itself
    def frame(*a) -> None:
        cpu = time.thread_time()
        fn(*a)
        cost = time.thread_time() - cpu
        wait_sent()
        if registered is None:
            return
        pacing.frame(sid, cost)
        since = paces.get(name, (None, time.monotonic()))[1]
        if (time.monotonic() - since > RETUNE_GAP
                and pacing.needs_new_interval(registered, base, sid)):
            st.rerun()  # a full run registers the fragment with the pace that fits now

    st.fragment(frame, run_every=registered)(*args)
