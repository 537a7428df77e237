"""The live fragment (playground/views/live.py): registered at the pace that fits the server,
counted while playing and forgotten on pause; and the Streamlit internals it relies on to
keep every frame's charts (a Streamlit upgrade that moves them must fail here, loudly)."""

from __future__ import annotations

import inspect

import pytest
from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.runtime.session_manager import SessionManager
from streamlit.testing.v1 import AppTest

from playground import pacing
from playground.views import live

pytestmark = pytest.mark.usefixtures("empty_pacing")


def test_the_streamlit_internals_wait_sent_reads_are_there():
    init = inspect.getsource(AppSession.__init__)
    assert "self._browser_queue" in init and "self._event_loop" in init
    assert callable(ForwardMsgQueue.is_empty)
    assert callable(SessionManager.get_active_session_info)
    assert "self._session_mgr" in inspect.getsource(Runtime.__init__)
    # The loss wait_sent prevents: a fragment's next run clears that fragment's unsent
    # messages, and the script's messages are queued through the event loop.
    assert "fragment_ids_this_run" in inspect.getsource(ForwardMsgQueue.clear)
    assert "_call_soon_on_event_loop" in inspect.getsource(AppSession._on_scriptrunner_event)


def test_outside_a_served_app_nothing_waits():
    assert live.wait_sent() == 0.0
    assert live._app_session() is None


def _served_page() -> None:
    import streamlit as st

    from playground.views import live

    st.write(f"served={live._app_session() is not None} waited={live.wait_sent()}")


def test_apptest_is_not_a_served_app():
    at = AppTest.from_function(_served_page).run()
    assert at.markdown[0].value == "served=False waited=0.0"


def _page(cost: float) -> None:
    import time

    import streamlit as st

    from playground.views.live import live_fragment

    def view(label: str) -> None:
        end = time.thread_time() + cost
        while time.thread_time() < end:
            pass
        st.session_state["frames"] = st.session_state.get("frames", 0) + 1
        st.write(label)

    live_fragment(view, "frame", playing=st.session_state.get("playing", True))


def test_playing_registers_the_pace_and_counts_the_session_at_its_measured_cost():
    at = AppTest.from_function(_page, args=(0.03,)).run()
    assert not at.exception
    assert at.session_state["frames"] == 1 and at.markdown[0].value == "frame"
    (registered, _), = at.session_state["_live_paces"].values()
    assert registered == pytest.approx(live.FRAME_INTERVAL)  # an empty server: the base pace
    assert pacing.playing() == 1
    # the script's own CPU (a first run also imports): at least the view's 30 ms
    assert 0.03 * pacing.OVERHEAD <= pacing.load() < 1.0


def test_a_busy_process_registers_a_slower_pace():
    for s in range(40):
        pacing.frame(f"other{s}")
    at = AppTest.from_function(_page, args=(0.0,)).run()
    (registered, _), = at.session_state["_live_paces"].values()
    assert registered == pytest.approx(41 * pacing.FRAME_COST / pacing.UTILISATION)


def test_pausing_stops_counting_the_session_at_once():
    at = AppTest.from_function(_page, args=(0.0,)).run()
    assert pacing.playing() == 1
    at.session_state["playing"] = False
    at.run()
    assert not at.exception and at.session_state["frames"] == 2
    assert at.session_state["_live_paces"] == {}
    assert pacing.playing() == 0
