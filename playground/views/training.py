"""What the pages that train a network live share: the transport bar (Play/Pause, Step, Epoch,
Reset, speed), one frame of training, and the readout above the live charts."""

from __future__ import annotations

import html
import re

import streamlit as st

import engine as eg
from playground import charts
from playground.i18n import Translator
from playground.views.common import grid_with


def transport(sess: dict, tr: Translator, *, text: str, keys: str, speed_key: str,
              speed: int, speed_grid: tuple) -> None:
    """Play/Pause, Step, Epoch, Reset as on_click callbacks (they run before the page is drawn,
    so every label and counter already shows their effect), and the speed.

    ``text`` prefixes the labels ("img" for "img.play"), ``keys`` the buttons' keys ("ib_" for
    "ib_play"); ``speed`` is the speed slider's value until its widget ``speed_key`` has one.
    A page that versions its network (``sess["version"]``, for its view cache) sees a reset
    as a new version."""
    trainer: eg.Trainer = sess["trainer"]
    playing = sess["playing"] and not trainer.diverged

    def toggle():
        sess["playing"] = not playing

    def step(epoch: bool):
        sess["playing"] = False
        sess["trainer"].step_epoch() if epoch else sess["trainer"].step(1)

    def reset():
        sess["trainer"].reset(reinitialize=True)
        if "version" in sess:
            sess["version"] += 1
        sess["notice"] = None

    cols = st.columns([1.2, 1, 1, 1, 3], vertical_alignment="bottom")
    cols[0].button(tr(f"{text}.pause") if playing else tr(f"{text}.play"), key=f"{keys}play",
                   type="primary", icon=":material/pause:" if playing
                   else ":material/play_arrow:", width="stretch", on_click=toggle)
    cols[1].button(tr(f"{text}.step"), key=f"{keys}step", width="stretch",
                   help=tr(f"{text}.step_help"), on_click=step, args=(False,))
    cols[2].button(tr(f"{text}.epoch"), key=f"{keys}epoch", width="stretch",
                   help=tr(f"{text}.epoch_help"), on_click=step, args=(True,))
    cols[3].button(tr(f"{text}.reset"), key=f"{keys}reset", width="stretch",
                   help=tr(f"{text}.reset_help"), on_click=reset)
    value = st.session_state.get(speed_key, speed)
    cols[4].select_slider(tr(f"{text}.speed"), options=grid_with(speed_grid, value),
                          key=speed_key, help=tr(f"{text}.speed_help"))


def train_frame(sess: dict, budget: float, max_steps: int) -> None:
    """While playing, train for at most ``budget`` seconds and ``max_steps`` steps. A network
    that diverges stops playing and the whole page reruns (the timer stops, Play shows, the
    page says what happened)."""
    trainer: eg.Trainer = sess["trainer"]
    if sess["playing"] and not trainer.diverged:
        trainer.run(budget, max_steps=max_steps)
        if trainer.diverged:
            sess["playing"] = False
            st.rerun()


def readout(metrics: dict, tr: Translator, *, key: str, marker: str, **data: object) -> None:
    """The metrics line in container ``key``, and a hidden ``<span class="{marker}">`` that
    carries ``data`` as data-* attributes (``test_loss`` as ``data-test-loss``) for tests."""
    attrs = " ".join(f'data-{name.replace("_", "-")}="{html.escape(str(value))}"'
                     for name, value in data.items())
    # One st.html element, not markdown: it is redrawn on every live frame, and Streamlit's
    # markdown pipeline was a visible share of the browser's work per frame.
    text = html.escape(charts.readout(metrics, tr=tr))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text).replace("\n\n", "<br>")
    with st.container(key=key):
        st.html(f'<div class="pg-readout">{text}</div><span class="{marker}" {attrs}></span>')
