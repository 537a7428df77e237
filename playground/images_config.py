"""The Images page's experiment and its URL form (query keys prefixed ``i_``).

Pure: no streamlit. ``ImagesConfig`` is everything a shared link reproduces; ``to_query``
writes only what differs from the defaults, ``from_query`` never raises: a bad value keeps its
default and says why in a note, in the page's language::

    ?i_stack=conv2d:8:3:1:same:relu,maxpool2d:2,flatten,dense:32:relu&i_lr=0.003&i_bs=64
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from playground import stack
from playground.config import OPTIMIZERS

__all__ = ["BATCH_GRID", "DATASETS", "DEFAULT_STACK", "LR_GRID", "PRESETS", "QUERY_PREFIX",
           "SAMPLE_RANGES", "SPEED_GRID", "ImagesConfig", "from_query", "to_query"]

QUERY_PREFIX = "i_"
DATASETS = ("digits", "mnist")
PRESETS: dict[str, str] = {
    "small_cnn": "conv2d:8:3:1:same:relu,maxpool2d:2,flatten",
    "dense": "flatten,dense:64:relu",
    "deeper_cnn": "conv2d:8:3:1:same:relu,maxpool2d:2,conv2d:16:3:1:same:relu,maxpool2d:2,"
                  "flatten,dense:32:relu",
    "linear": "flatten",
}
DEFAULT_STACK = stack.from_text(PRESETS["small_cnn"], "image")
LR_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_GRID = (1, 8, 16, 32, 64, 128, 256)
SPEED_GRID = (1, 2, 5, 10, 25, 50, 100)
LR_RANGE = (1e-5, 3.0)
# Sample caps per data set: (lowest, highest, default). Digits: the whole set before the split;
# MNIST: the training images (its test set is its own).
SAMPLE_RANGES: dict[str, tuple[int, int, int]] = {"digits": (100, 1797, 1797),
                                                  "mnist": (500, 60000, 6000)}
TRAIN_PCT_RANGE = (50, 90)
SEED_RANGE = (0, 2**31 - 1)
MAX_IMAGE_INDEX = 99_999
_MAX_VALUE_CHARS = 400
_SHOW = 40
_INT_RE = re.compile(r"[+-]?[0-9]{1,12}", re.ASCII)
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)


@dataclass(frozen=True)
class ImagesConfig:
    """One Images-page experiment (hashable; compare two to see what changed)."""

    dataset: str = "digits"
    n_samples: int = 1797
    train_pct: int = 80
    data_seed: int = 0
    stack: tuple[stack.Spec, ...] = field(default=DEFAULT_STACK)
    seed: int = 0
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 32
    speed: int = 5  # steps per live frame
    image: int = 0  # the test image whose feature maps are shown

    def data_key(self) -> tuple:
        return (self.dataset, self.n_samples, self.train_pct, self.data_seed)

    def architecture_key(self) -> tuple:
        return (*self.data_key(), self.stack, self.seed)

    def stack_text(self) -> str:
        return stack.to_text(self.stack)

    def replace(self, **changes) -> ImagesConfig:
        return replace(self, **changes)


DEFAULT = ImagesConfig()


def _fmt_float(v: float) -> str:
    return f"{v:.6g}"


QUERY_KEYS = {"dataset": "i_data", "n_samples": "i_n", "train_pct": "i_train",
              "data_seed": "i_dseed", "stack": "i_stack", "seed": "i_seed", "optimizer": "i_opt",
              "lr": "i_lr", "batch_size": "i_bs", "speed": "i_speed", "image": "i_img"}
"""Each setting's query parameter, in the order a link lists them."""


def _query_value(cfg: ImagesConfig, name: str) -> str:
    if name == "stack":
        return cfg.stack_text() or "none"
    if name == "lr":
        return _fmt_float(cfg.lr)
    return str(getattr(cfg, name))


def to_query(cfg: ImagesConfig) -> dict[str, str]:
    """The settings that differ from the defaults, as ``i_*`` query parameters."""
    d = replace(DEFAULT, n_samples=SAMPLE_RANGES[cfg.dataset][2])  # its data set's own default
    return {key: _query_value(cfg, name) for name, key in QUERY_KEYS.items()
            if getattr(cfg, name) != getattr(d, name)}


class _Bad(ValueError):
    """A value that cannot be used; ``reason`` is already in the user's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _show(text: object) -> str:
    s = text if isinstance(text, str) else f"<{type(text).__name__}>"
    s = "".join(c if c.isprintable() else "?" for c in s[: _SHOW + 1])
    return s if len(s) <= _SHOW else s[: _SHOW - 1] + "…"


def _int(text: str, lo: int, hi: int, tr) -> int:
    if not _INT_RE.fullmatch(text.strip()):
        raise _Bad(tr("img.note.expect_int", lo=lo, hi=hi))
    v = int(text)
    if not lo <= v <= hi:
        raise _Bad(tr("img.note.expect_int", lo=lo, hi=hi))
    return v


def _float(text: str, lo: float, hi: float, tr) -> float:
    t = text.strip()
    if not _FLOAT_RE.fullmatch(t) or not math.isfinite(float(t)) or not lo <= float(t) <= hi:
        raise _Bad(tr("img.note.expect_float", lo=f"{lo:g}", hi=f"{hi:g}"))
    return float(t)


def _choice(text: str, options: tuple[str, ...], tr) -> str:
    name = text.strip().lower()
    if name not in options:
        raise _Bad(tr("img.note.expect_choice", options=", ".join(options)))
    return name


def from_query(params: Mapping[str, object], tr, *,
               datasets: tuple[str, ...] = ("digits",)) -> tuple[ImagesConfig, list[str]]:
    """Read ``i_*`` parameters (other keys are ignored); never raises.

    ``datasets`` are the data sets this deployment offers (MNIST only when configured).
    Returns the config and notes (already in ``tr``'s language) for every value not used.
    """
    notes: list[str] = []
    try:
        return _from_query(params, tr, datasets, notes), notes
    except Exception:  # a link must never break the page
        return DEFAULT, [tr("img.note.unreadable")]


def _from_query(params, tr, datasets, notes) -> ImagesConfig:
    values: dict[str, str] = {}
    for k, v in list(params.items())[:200]:
        if not isinstance(k, str) or not k.startswith(QUERY_PREFIX):
            continue
        if isinstance(v, list | tuple):
            v = v[-1] if v else ""
        values[k] = v if isinstance(v, str) else str(v)
    changes: dict[str, object] = {}

    def bad(key: str, value: str, reason: str) -> None:
        notes.append(tr("img.note.bad_value", param=key, value=_show(value), reason=reason))

    readers = {
        "i_data": ("dataset", lambda s: _dataset(s, datasets, tr)),
        "i_train": ("train_pct", lambda s: _int(s, *TRAIN_PCT_RANGE, tr)),
        "i_dseed": ("data_seed", lambda s: _int(s, *SEED_RANGE, tr)),
        "i_stack": ("stack", lambda s: _stack(s, tr)),
        "i_seed": ("seed", lambda s: _int(s, *SEED_RANGE, tr)),
        "i_opt": ("optimizer", lambda s: _choice(s, OPTIMIZERS, tr)),
        "i_lr": ("lr", lambda s: _float(s, *LR_RANGE, tr)),
        "i_bs": ("batch_size", lambda s: _int(s, BATCH_GRID[0], 4096, tr)),
        "i_speed": ("speed", lambda s: _int(s, 1, 1000, tr)),
        "i_img": ("image", lambda s: _int(s, 0, MAX_IMAGE_INDEX, tr)),
    }
    known = set(readers) | {"i_n"}
    for key, value in values.items():
        if key not in known:
            notes.append(tr("img.note.unknown_key", param=_show(key)))
            continue
        if key == "i_n":
            continue
        if len(value) > _MAX_VALUE_CHARS:
            bad(key, value, tr("img.note.too_long"))
            continue
        name, read = readers[key]
        try:
            changes[name] = read(value)
        except _Bad as err:
            bad(key, value, err.reason)
    dataset = changes.get("dataset", DEFAULT.dataset)
    lo, hi, default_n = SAMPLE_RANGES[dataset]
    changes["n_samples"] = default_n
    if "i_n" in values:
        try:
            changes["n_samples"] = _int(values["i_n"], lo, hi, tr)
        except _Bad as err:
            bad("i_n", values["i_n"], err.reason)
    return replace(DEFAULT, **changes)


def _dataset(text: str, datasets: tuple[str, ...], tr) -> str:
    name = _choice(text, DATASETS, tr)
    if name not in datasets:
        raise _Bad(tr("img.note.no_mnist"))
    return name


def _stack(text: str, tr) -> tuple[stack.Spec, ...]:
    if text.strip().lower() == "none":
        return ()
    try:
        specs = stack.from_text(text, "image")
    except stack.StackError as err:
        raise _Bad(stack.message(err, tr)) from None
    if not specs:
        raise _Bad(tr("img.note.empty_stack"))
    return specs

