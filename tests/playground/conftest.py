"""Fixtures shared by the app's tests."""

from __future__ import annotations

import pytest

from playground import pacing


@pytest.fixture
def empty_pacing():
    """No session counted as playing by playground.pacing, before and after the test."""
    with pacing._lock:
        pacing._sessions.clear()
    yield
    with pacing._lock:
        pacing._sessions.clear()
