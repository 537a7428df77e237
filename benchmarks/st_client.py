"""A minimal Streamlit client over its WebSocket protocol: enough to play the Network page.

It speaks to the server what the browser's frontend speaks (the ``BackMsg``/``ForwardMsg``
protobufs of the installed ``streamlit`` package): it opens a session with a URL query
string, reruns the live fragment on the interval the server asks for (``auto_rerun``;
stopped, as in the frontend, by ``stop_auto_rerun`` or by the start of a full run that
does not register it again), follows the query string the page writes back
(``page_info_changed``), clicks buttons by their widget key, and keeps every value of
the ``.pg-counter`` readout with the time it arrived. It draws nothing, so one process
can hold dozens of sessions: a load generator for the server, not a browser test.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

_ATTR = re.compile(r'data-([a-z]+)="([^"]*)"')


class StreamlitClient:
    """One session of the app at ``base_url`` opened with ``query`` (no leading '?')."""

    def __init__(self, base_url: str, query: str, locale: str = "en-US",
                 interval: float | None = None, headers: dict[str, str] | None = None):
        self.ws_url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.base_url = base_url
        self.query = query
        self.locale = locale
        self.interval = interval  # rerun the fragment this often instead of what the app asks
        self.headers = headers or {}  # e.g. a proxy's routing cookie
        self.page_hash = ""
        self.readout: dict[str, str] = {}
        self.log: list[tuple[float, int, str, str, str]] = []  # (monotonic, step, ds, lr, layers)
        self.widget_ids: dict[str, str] = {}  # widget key -> id, from the elements seen
        self.labels: dict[str, str] = {}  # widget key -> the button's current label
        self.exceptions: list[str] = []
        self.finished: Counter[str] = Counter()  # how runs ended, e.g. FINISHED_EARLY_FOR_RERUN
        self.charts: Counter[str] = Counter()  # live_charts key ("net-hist") -> updates received
        self.messages = 0
        self.changed = asyncio.Event()
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._ws = None
        self._reader: asyncio.Task | None = None

    # -- connection -----------------------------------------------------------------------
    async def open(self, timeout: float = 60.0) -> None:
        """Connect and request the first run (as a page load does)."""
        self._ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                 open_timeout=timeout, ping_interval=None,
                                 additional_headers=self.headers)
        self._reader = asyncio.create_task(self._read())
        await self.rerun()

    async def close(self) -> None:
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    # -- what the frontend sends ----------------------------------------------------------
    async def rerun(self, fragment_id: str = "", widgets: list[WidgetState] | None = None,
                    auto: bool = False) -> None:
        state = ClientState(query_string=self.query, page_script_hash=self.page_hash,
                            fragment_id=fragment_id, is_auto_rerun=auto)
        state.widget_states.widgets.extend(widgets or [])
        state.context_info.locale = self.locale
        state.context_info.url = f"{self.base_url}/?{self.query}"
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        await self._ws.send(msg.SerializeToString())

    async def click(self, key: str) -> None:
        """Press the button whose widget key is ``key`` (e.g. "b_play")."""
        await self.rerun(widgets=[WidgetState(id=self.widget_ids[key], trigger_value=True)])

    async def _tick(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):
                await self.rerun(fragment_id=fragment_id, auto=True)

    def _stop_timers(self, ids=None) -> None:
        for fid in list(self._timers) if ids is None else list(ids):
            entry = self._timers.pop(fid, None)
            if entry:
                entry[1].cancel()

    # -- what the server sends ------------------------------------------------------------
    async def _read(self) -> None:
        async for raw in self._ws:
            msg = ForwardMsg.FromString(raw)
            self.messages += 1
            self._handle(msg)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            if not msg.metadata.run.fragment_ids:  # a full run: timers are registered anew
                self._stop_timers()
        elif kind == "auto_rerun":
            fid, interval = msg.auto_rerun.fragment_id, self.interval or msg.auto_rerun.interval
            if fid and self._timers.get(fid, (None,))[0] != interval:
                self._stop_timers([fid])
                self._timers[fid] = (interval, asyncio.create_task(self._tick(fid, interval)))
        elif kind == "stop_auto_rerun":
            self._stop_timers(msg.stop_auto_rerun.fragment_ids)
        elif kind == "script_finished":
            self.finished[ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)] += 1
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element)

    def _element(self, el) -> None:
        kind = el.WhichOneof("type")
        body = el.html.body if kind == "html" else el.markdown.body if kind == "markdown" else ""
        if 'class="pg-counter"' in body:
            self.readout = dict(_ATTR.findall(body[body.index('class="pg-counter"'):]))
            r = self.readout
            self.log.append((time.monotonic(), int(r.get("step", -1)), r.get("dataset", ""),
                             r.get("lr", ""), r.get("layers", "")))
            self.changed.set()
        elif kind == "exception":
            self.exceptions.append(el.exception.message[:300])
        elif kind == "bidi_component" and "-live_chart-" in el.bidi_component.id:
            self.charts[el.bidi_component.id.split("-live_chart-", 1)[1]] += 1
        else:
            widget = getattr(el, kind, None) if kind else None
            wid = getattr(widget, "id", "") if widget is not None else ""
            if wid and "-" in wid:
                key = wid.rsplit("-", 1)[-1]
                self.widget_ids[key] = wid
                if kind == "button":
                    self.labels[key] = el.button.label
                    self.changed.set()

    # -- waiting --------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return int(self.readout.get("step", -1))

    async def wait_for(self, condition, timeout: float) -> float | None:
        """Seconds until ``condition()`` holds (checked on every update), None on timeout."""
        t0 = time.monotonic()
        while not condition():
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                return None
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 0.25))
        return time.monotonic() - t0
