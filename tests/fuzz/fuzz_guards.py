"""What every fuzz test watches for: code execution, file access, unpickling and hangs.

``watch()`` is a context manager that records, while it is open, the audit events
(PEP 578) that mean "the input made us do something": running code objects, opening
files, starting processes, connecting sockets, unpickling. ``time_bound(seconds)``
interrupts a call that runs past the bound (SIGALRM) so a hang fails the test instead of
stalling the suite; it is a hang guard with a generous bound, not a speed test.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
import sys
from collections.abc import Iterator
from unittest import mock

from playground.i18n import LANGUAGES, catalog

# Audit events that no parser of user input may cause (prefix match on the event name).
FORBIDDEN = ("exec", "open", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
             "subprocess.Popen", "socket.connect", "socket.bind", "pickle.find_class",
             "marshal.loads", "ctypes.", "shutil.", "os.remove", "os.rename", "os.mkdir",
             "webbrowser.open", "urllib.Request")

_seen: list[tuple[str, str]] | None = None  # the events of the open watch() block


def _hook(event: str, args: tuple) -> None:
    if _seen is not None and event.startswith(FORBIDDEN):
        _seen.append((event, repr(args)[:200]))


sys.addaudithook(_hook)  # hooks cannot be removed; it records only inside watch()

for _lang in LANGUAGES:  # the app's message catalogs are read once, on first use: now
    catalog(_lang)


class HangError(BaseException):
    """A call ran past its time bound (a BaseException: ``except Exception`` cannot hide it)."""


@contextlib.contextmanager
def watch() -> Iterator[list[tuple[str, str]]]:
    """Record forbidden audit events and any unpickling while the block runs.

    The block may check the yielded list itself; on exit it must be empty.
    """
    global _seen
    calls: list[str] = []

    def refuse(*args, **kwargs):
        calls.append("pickle")
        raise AssertionError("input was unpickled")

    _seen = []
    try:
        with mock.patch.object(pickle, "load", refuse), \
                mock.patch.object(pickle, "loads", refuse):
            yield _seen
        events = list(_seen)
    finally:
        _seen = None
    assert not calls, "pickle.load/loads was called on user input"
    assert not events, f"forbidden side effects: {events[:5]}"


@contextlib.contextmanager
def time_bound(seconds: float, what: str = "call") -> Iterator[None]:
    """Raise HangError if the block runs longer than ``seconds`` (main thread only)."""

    def alarm(signum, frame):
        raise HangError(f"{what} still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
