"""What defines an experiment on the Sequences page, and its URL form (``s_`` keys).

A plain, frozen, validated dataclass: the data set and its size, the layer stack (specs of
``playground.stack``; the output layer is not part of it, it follows from the task), and the
training settings. ``to_query``/``from_query`` round-trip it through the URL so a shared link
reproduces the experiment; reading never raises: a bad value keeps its default and adds a note
in the page's language. No streamlit here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine import sequences as eg_sequences
from playground import stack

DATASETS: tuple[str, ...] = ("sine", "parity", "count_ones", "next_char")
OPTIMIZERS: tuple[str, ...] = ("adam", "sgd", "momentum", "rmsprop", "adamw", "nadam")
LR_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_GRID = (1, 4, 8, 16, 32, 64, 128)
CLIP_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)  # 0: no clipping
SPEED_GRID = (1, 2, 5, 10, 25, 50, 100)
SAMPLES_GRID = (100, 200, 300, 500, 1000, 2000)
NOISE_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
TRAIN_FRACTION = 0.8

# Inclusive ranges of the numeric settings (widgets offer the same).
RANGES: dict[str, tuple[float, float]] = {
    "seq_len": (2, 60),
    "n_samples": (50, 2000),
    "noise": (0.0, eg_sequences.MAX_NOISE),
    "data_seed": (0, 2**31 - 1),
    "seed": (0, 2**31 - 1),
    "lr": (1e-5, 10.0),
    "batch_size": (1, 512),
    "clip": (0.0, 100.0),
    "speed": (1, 1000),
    "example": (0, 2000),
}

# Per data set: the sequence length and the layer stack it opens with.
DATA_DEFAULTS: dict[str, dict[str, Any]] = {
    "sine": {"seq_len": 20, "stack": "lstm:16:0"},
    "parity": {"seq_len": 6, "stack": "lstm:16:0"},
    "count_ones": {"seq_len": 10, "stack": "lstm:16:0"},
    "next_char": {"seq_len": 12, "stack": "embedding:8,lstm:32:0"},
}

# Named stacks offered by the preset picker: (numbers, characters) — next_char holds integer
# token ids, so its stacks start with an Embedding.
PRESETS: dict[str, tuple[str, str]] = {
    "lstm": ("lstm:16:0", "embedding:8,lstm:32:0"),
    "rnn": ("simplernn:16:0", "embedding:8,simplernn:32:0"),
    "stacked": ("lstm:16:1,lstm:16:0", "embedding:8,lstm:32:1,lstm:32:0"),
    "attention": ("attention:16:0,flatten", "embedding:8,attention:16:1,flatten"),
    "dense": ("flatten,dense:32:relu", "embedding:8,flatten,dense:64:relu"),
}

QUERY_PREFIX = "s_"
# URL key -> field name (the order is the URL order).
QUERY_KEYS: dict[str, str] = {
    "s_ds": "dataset", "s_len": "seq_len", "s_n": "n_samples", "s_noise": "noise",
    "s_dseed": "data_seed", "s_stack": "stack", "s_seed": "seed", "s_opt": "optimizer",
    "s_lr": "lr", "s_bs": "batch_size", "s_clip": "clip", "s_speed": "speed",
    "s_ex": "example",
}
_MAX_TEXT = 400  # characters of a URL value that are read at all


def preset_text(name: str, dataset: str) -> str:
    numbers, chars = PRESETS[name]
    return chars if dataset == "next_char" else numbers


def default_stack(dataset: str) -> tuple[stack.Spec, ...]:
    return stack.from_text(DATA_DEFAULTS[dataset]["stack"], "sequence")


@dataclass(frozen=True)
class SeqConfig:
    """Every setting of the Sequences page. Defaults: the page's opening experiment."""

    # data
    dataset: str = "sine"
    seq_len: int = 20
    n_samples: int = 500
    noise: float = 0.0  # engine units, 0..0.5 (meaning per data set)
    data_seed: int = 0
    # network (the output Dense layer follows from the data set's task)
    stack: tuple[stack.Spec, ...] = dataclasses.field(
        default_factory=lambda: default_stack("sine"))
    seed: int = 0
    # training
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 32
    clip: float = 0.0  # global-norm gradient clipping; 0 = off
    speed: int = 25  # at most this many steps per frame
    # view
    example: int = 0  # index into the test set

    def replace(self, **changes: Any) -> SeqConfig:
        return dataclasses.replace(self, **changes)

    def data_key(self) -> tuple:
        """Settings whose change needs new data (and so a new network)."""
        return (self.dataset, self.seq_len, self.n_samples, self.noise, self.data_seed)

    def model_key(self) -> tuple:
        """Settings whose change needs a new network (a reset)."""
        return (*self.data_key(), self.stack, self.seed)

    @property
    def stack_text(self) -> str:
        return stack.to_text(self.stack)


def defaults_for(dataset: str) -> SeqConfig:
    """The opening experiment of one data set (its sequence length and stack)."""
    d = DATA_DEFAULTS[dataset]
    return SeqConfig(dataset=dataset, seq_len=int(d["seq_len"]),
                     stack=stack.from_text(d["stack"], "sequence"))


# -- URL ----------------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def to_query(cfg: SeqConfig) -> dict[str, str]:
    """``s_`` keys of ``cfg``: the data set always, the rest where it differs from that data
    set's defaults (so the default link is short)."""
    base = defaults_for(cfg.dataset)
    q: dict[str, str] = {}
    for key, name in QUERY_KEYS.items():
        value = getattr(cfg, name)
        if name == "dataset" or value != getattr(base, name):
            q[key] = stack.to_text(value) if name == "stack" else _fmt(value)
    return q


def _one(raw: Any) -> str:
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return str(raw).strip()[:_MAX_TEXT]


def _number(text: str, integer: bool) -> float | int:
    v = float(text)
    if not math.isfinite(v) or (integer and v != int(v)):
        raise ValueError(text)
    return int(v) if integer else v


def from_query(params: Mapping[str, Any], tr: Callable[..., str]
               ) -> tuple[SeqConfig, list[str], tuple[stack.Spec, ...] | None]:
    """Read ``s_`` keys -> ``(config, notes, stack_from_link)``. Never raises.

    Keys without the ``s_`` prefix belong to other pages (or to ``lang``) and are ignored; an
    unknown ``s_`` key, a malformed value or one out of range keeps the default (numbers are
    clamped) and adds a note. ``stack_from_link`` is the stack the link asked for when it parsed
    (whether it fits the data is checked by the page, which shows the reason when not).
    """
    notes: list[str] = []

    def bad(key: str, text: str) -> None:
        shown = text if len(text) <= 40 else text[:39] + "…"
        notes.append(tr("seq.note.bad_value", param=key, value=shown))

    try:
        mine = {k: v for k, v in params.items() if str(k).startswith(QUERY_PREFIX)}
        unknown = sorted(k for k in mine if k not in QUERY_KEYS)
        if unknown:
            notes.append(tr("seq.note.unknown_keys", keys=", ".join(unknown[:5])))
        dataset = SeqConfig.dataset
        if "s_ds" in mine:
            text = _one(mine["s_ds"]).lower()
            if text in DATASETS:
                dataset = text
            else:
                bad("s_ds", text)
        cfg = defaults_for(dataset)
        changes: dict[str, Any] = {}
        for key, name in QUERY_KEYS.items():
            if key not in mine or name in ("dataset", "stack"):
                continue
            text = _one(mine[key])
            if name == "optimizer":
                if text.lower() in OPTIMIZERS:
                    changes[name] = text.lower()
                else:
                    bad(key, text)
                continue
            integer = isinstance(getattr(cfg, name), int)
            try:
                v = _number(text, integer)
            except ValueError:
                bad(key, text)
                continue
            lo, hi = RANGES[name]
            if not lo <= v <= hi:
                bad(key, text)
                v = type(v)(min(max(v, lo), hi))
            changes[name] = v
        if dataset == "next_char" and "seq_len" in changes:
            cap = len(eg_sequences.TEXT) - 1
            changes["seq_len"] = min(changes["seq_len"], cap)
        link_stack = None
        if "s_stack" in mine:
            text = _one(mine["s_stack"])
            try:
                link_stack = stack.from_text(text, "sequence")
            except stack.StackError as err:
                notes.append(tr("seq.note.bad_stack", value=text[:60],
                                reason=stack.message(err, tr)))
            else:
                if not link_stack:
                    bad("s_stack", text)
                    link_stack = None
        return cfg.replace(**changes), notes, link_stack
    except Exception:  # a link must never break the page
        return SeqConfig(), [tr("seq.note.unreadable")], None


def query_string(cfg: SeqConfig) -> str:
    """``s_ds=sine&s_lr=0.003``: the link's query part (values URL-safe, ':' and ',' kept)."""
    from urllib.parse import quote

    return "&".join(f"{k}={quote(v, safe=':,.')}" for k, v in to_query(cfg).items())
