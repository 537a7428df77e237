"""The experiment <-> URL query string: shareable links that reproduce a Network-page setup.

Pure functions, no streamlit: the page passes ``st.query_params`` (or any mapping of
``str -> str | list[str]``) in and writes ``to_query(exp)`` back. Parameters are short,
human-readable and language-neutral, and only settings that differ from ``Experiment()`` are
written, so the default link is clean::

    ?ds=circle&noise=10&feat=x1,x2,x1^2&layers=8:tanh,4:relu:0.2&opt=momentum&lr=0.1&mom=0.95

Reading never raises: an unknown key or a bad value is ignored (the setting keeps its default,
or is clamped into range) and explained in a note, in the page's language.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields

from playground.config import (
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    LR_RANGE,
    MAX_LAYERS,
    MAX_SAMPLES,
    MAX_UNITS,
    OPTIMIZER_HYPER,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    REG_RANGE,
    SCHEDULES,
    Experiment,
    LayerSpec,
)
from playground.i18n import t

__all__ = [
    "CONTROL_GROUPS",
    "FIELD_KEYS",
    "HYPER_KEYS",
    "HYPER_RANGES",
    "RANGES",
    "RESERVED_KEYS",
    "canonical",
    "from_query",
    "query_string",
    "to_query",
]

DEFAULT = Experiment()

# Control groups a shared link may hide (classroom mode): names the page's widgets use.
CONTROL_GROUPS: tuple[str, ...] = ("data", "features", "layers", "optimizer", "regularization",
                                   "presets")

# Inclusive ranges of the numeric settings (the widgets should offer the same).
RANGES: dict[str, tuple[float, float]] = {
    "n_samples": (10, MAX_SAMPLES),
    "noise": (0, 50),
    "train_pct": (10, 90),
    "data_seed": (0, 2**31 - 1),
    "seed": (0, 2**31 - 1),
    "units": (1, MAX_UNITS),
    "dropout": (0.0, 0.9),
    "lr": LR_RANGE,
    "batch_size": (1, MAX_SAMPLES),  # 0, written "full", means the whole training set
    "l1": REG_RANGE,
    "l2": REG_RANGE,
    "steps_per_frame": (1, 1000),
}

# Optimizer hyper-parameters: URL key -> name in OPTIMIZER_HYPER, and their ranges. Momentum
# and betas stop short of 1 (the engine refuses 1, and 0.999+ never settles anyway).
HYPER_KEYS: dict[str, str] = {"mom": "momentum", "b1": "beta1", "b2": "beta2", "eps": "eps",
                              "alpha": "alpha", "rho": "rho", "wd": "weight_decay"}
HYPER_RANGES: dict[str, tuple[float, float]] = {
    "momentum": (0.0, 0.999),
    "beta1": (0.0, 0.999),
    "beta2": (0.0, 0.99999),
    "eps": (1e-12, 1.0),
    "alpha": (0.0, 0.9999),
    "rho": (0.0, 1.0),
    "weight_decay": (0.0, 1.0),
}
# Nesterov needs a positive momentum (the engine raises on 0).
_HYPER_RANGE_FOR = {("nesterov", "momentum"): (0.01, 0.999)}

# Keys other parts of the app (or Streamlit itself) may put in the URL: passed by silently.
RESERVED_KEYS: frozenset[str] = frozenset({"lang", "page", "embed", "embed_options"})

MAX_VALUE_CHARS = 400  # longer values are not parsed at all (8 layers with exact dropouts fit)
_MAX_KEYS_SCANNED = 1000  # a pathological URL cannot make us loop for long
_MAX_KEYS_NAMED = 5  # unknown keys named in the note; the rest are counted
_SHOW_CHARS = 40  # user text quoted in a note is cut to this length

_INT_RE = re.compile(r"[+-]?[0-9]{1,50}", re.ASCII)
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class _Invalid(Exception):
    """A value that cannot be read at all: the setting keeps its default."""


# --------------------------------------------------------------------------- formatting


def _fmt_float(v: float) -> str:
    """Shortest text that reads back as exactly ``v`` (repr), without a trailing '.0'."""
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def _fmt_num(v: float) -> str:
    return str(v) if isinstance(v, int) else _fmt_float(v)


def _show(value: object) -> str:
    """User text for a note: printable, and short (a URL can hold anything)."""
    text = value if isinstance(value, str) else f"<{type(value).__name__}>"
    text = "".join(c if c.isprintable() else "?" for c in text[: _SHOW_CHARS + 1])
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"


def _name(text: str) -> str:
    """Names are forgiving: 'Two-Moons' reads as 'two_moons'."""
    return text.strip().lower().replace("-", "_")


def _split(text: str) -> list[str]:
    """Comma-separated items; empty ones (a trailing comma) are skipped."""
    return [p.strip() for p in text.split(",") if p.strip()]


# --------------------------------------------------------------------------- codecs
#
# A codec turns one setting into URL text and back. ``decode`` returns (value, adjusted):
# adjusted=True means the value was clamped or tidied and deserves a note; it raises
# _Invalid when nothing sensible can be read.


def _clamp(v: float, lo: float, hi: float) -> tuple[float, bool]:
    c = min(max(v, lo), hi)
    return c, c != v


def _read_int(text: str) -> int:
    if not _INT_RE.fullmatch(text):
        raise _Invalid
    return int(text)


def _read_float(text: str) -> float:
    if not _FLOAT_RE.fullmatch(text):
        raise _Invalid
    v = float(text)
    if not math.isfinite(v):
        raise _Invalid
    return v


@dataclass(frozen=True)
class _Int:
    lo: int
    hi: int

    def encode(self, v: int) -> str:
        return str(int(v))

    def decode(self, text: str) -> tuple[int, bool]:
        v, adjusted = _clamp(_read_int(text), self.lo, self.hi)
        return int(v), adjusted

    def expected(self, lang: str) -> str:
        return t("state.expect.int", lang, lo=self.lo, hi=self.hi)


@dataclass(frozen=True)
class _Float:
    lo: float
    hi: float

    def encode(self, v: float) -> str:
        return _fmt_float(v)

    def decode(self, text: str) -> tuple[float, bool]:
        return _clamp(_read_float(text), self.lo, self.hi)

    def expected(self, lang: str) -> str:
        return t("state.expect.float", lang, lo=_fmt_num(self.lo), hi=_fmt_num(self.hi))


@dataclass(frozen=True)
class _Choice:
    options: tuple[str, ...]
    short: tuple[tuple[str, str], ...] = ()  # (short spelling written to URLs, full name)

    def encode(self, v: str) -> str:
        return next((s for s, full in self.short if full == v), v)

    def decode(self, text: str) -> tuple[str, bool]:
        name = _name(text)
        name = dict(self.short).get(name, name)
        if name not in self.options:
            raise _Invalid
        return name, False

    def expected(self, lang: str) -> str:
        shown = [self.encode(o) for o in self.options]
        return t("state.expect.one_of", lang, options=", ".join(shown))


@dataclass(frozen=True)
class _Bool:
    def encode(self, v: bool) -> str:
        return "1" if v else "0"

    def decode(self, text: str) -> tuple[bool, bool]:
        name = _name(text)
        if name in _TRUE:
            return True, False
        if name in _FALSE:
            return False, False
        raise _Invalid

    def expected(self, lang: str) -> str:
        return t("state.expect.bool", lang)


@dataclass(frozen=True)
class _Names:
    """A comma-separated list of distinct names from ``options``, order kept."""

    options: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()
    allow_empty: bool = False

    def encode(self, v: tuple[str, ...]) -> str:
        return ",".join(v)

    def decode(self, text: str) -> tuple[tuple[str, ...], bool]:
        aliases = dict(self.aliases)
        out: list[str] = []
        for item in _split(text):
            name = _name(item)
            name = aliases.get(name, name)
            if name not in self.options:
                raise _Invalid
            if name not in out:
                out.append(name)
        if not out and not self.allow_empty:
            raise _Invalid
        return tuple(out), len(out) != len(_split(text))  # a repeat was dropped

    def expected(self, lang: str) -> str:
        return t("state.expect.list", lang, options=", ".join(self.options))


@dataclass(frozen=True)
class _Layers:
    """Hidden layers as ``units:activation[:dropout]`` joined by commas; ``none`` for none."""

    def encode(self, v: tuple[LayerSpec, ...]) -> str:
        if not v:
            return "none"
        parts = []
        for spec in v:
            part = f"{int(spec.units)}:{spec.activation}"
            if spec.dropout:
                part += f":{_fmt_float(spec.dropout)}"
            parts.append(part)
        return ",".join(parts)

    def decode(self, text: str) -> tuple[tuple[LayerSpec, ...], bool]:
        if _name(text) in ("", "none", "0"):
            return (), False
        items = _split(text)
        adjusted = len(items) > MAX_LAYERS
        out = []
        for item in items[:MAX_LAYERS]:
            bits = item.split(":")
            if len(bits) > 3:
                raise _Invalid
            units, fixed = _clamp(_read_int(bits[0].strip()), *RANGES["units"])
            adjusted |= fixed
            act = _name(bits[1]) if len(bits) > 1 else LayerSpec().activation
            if act not in HIDDEN_ACTIVATIONS:
                raise _Invalid
            dropout = 0.0
            if len(bits) > 2:
                dropout, fixed = _clamp(_read_float(bits[2].strip()), *RANGES["dropout"])
                adjusted |= fixed
            out.append(LayerSpec(int(units), act, dropout))
        return tuple(out), adjusted

    def expected(self, lang: str) -> str:
        return t("state.expect.layers", lang, max_layers=MAX_LAYERS, max_units=MAX_UNITS,
                 max_dropout=_fmt_float(RANGES["dropout"][1]))


@dataclass(frozen=True)
class _Batch:
    """Mini-batch size, or ``full`` (stored as 0) for the whole training set."""

    def encode(self, v: int) -> str:
        return "full" if int(v) == 0 else str(int(v))

    def decode(self, text: str) -> tuple[int, bool]:
        if _name(text) in ("full", "0"):
            return 0, False
        v, adjusted = _clamp(_read_int(text), *RANGES["batch_size"])
        return int(v), adjusted

    def expected(self, lang: str) -> str:
        return t("state.expect.batch", lang, hi=RANGES["batch_size"][1])


_Codec = _Int | _Float | _Choice | _Bool | _Names | _Layers | _Batch


def _int_codec(name: str) -> _Int:
    lo, hi = RANGES[name]
    return _Int(int(lo), int(hi))


def _float_codec(name: str) -> _Float:
    lo, hi = RANGES[name]
    return _Float(float(lo), float(hi))


# URL key -> (Experiment field, codec), in the order links are written (data first).
_SPEC: dict[str, tuple[str, _Codec]] = {
    "ds": ("dataset", _Choice(DATASETS)),
    "n": ("n_samples", _int_codec("n_samples")),
    "noise": ("noise", _int_codec("noise")),
    "train": ("train_pct", _int_codec("train_pct")),
    "dseed": ("data_seed", _int_codec("data_seed")),
    "feat": ("features", _Names(FEATURES, aliases=(("x1sq", "x1^2"), ("x2sq", "x2^2")))),
    "layers": ("layers", _Layers()),
    "out": ("output_activation", _Choice(OUTPUT_ACTIVATIONS)),
    "loss": ("loss", _Choice(LOSSES, short=(("bce", "binary_crossentropy"),
                                            ("mse", "mean_squared_error")))),
    "init": ("initializer", _Choice(INITIALIZERS)),
    "seed": ("seed", _int_codec("seed")),
    "opt": ("optimizer", _Choice(OPTIMIZERS)),
    "lr": ("lr", _float_codec("lr")),
    "sched": ("schedule", _Choice(SCHEDULES)),
    "bs": ("batch_size", _Batch()),
    "l1": ("l1", _float_codec("l1")),
    "l2": ("l2", _float_codec("l2")),
    "spf": ("steps_per_frame", _int_codec("steps_per_frame")),
    "test": ("show_test", _Bool()),
    "disc": ("discretize", _Bool()),
    "hide": ("hidden", _Names(CONTROL_GROUPS, allow_empty=True)),
}

# Experiment field -> URL key (for pages that bind widgets to query parameters themselves).
# ``hyper`` has one key per hyper-parameter instead: see HYPER_KEYS.
FIELD_KEYS: dict[str, str] = {fld: key for key, (fld, _) in _SPEC.items()}


def _check_tables() -> None:
    """Fail at import if a setting of Experiment has no URL key (or keys collide)."""
    covered = set(FIELD_KEYS) | {"hyper"}
    missing = {f.name for f in fields(Experiment)} - covered
    assert not missing, f"Experiment fields without a URL key: {sorted(missing)}"
    assert not set(_SPEC) & set(HYPER_KEYS), "a hyper-parameter key shadows a setting key"
    assert not (set(_SPEC) | set(HYPER_KEYS)) & RESERVED_KEYS
    assert set(HYPER_KEYS.values()) == {h for hp in OPTIMIZER_HYPER.values() for h in hp}
    assert set(HYPER_KEYS.values()) == set(HYPER_RANGES)


_check_tables()


def _hyper_codec(optimizer: str, name: str) -> _Float:
    lo, hi = _HYPER_RANGE_FOR.get((optimizer, name), HYPER_RANGES[name])
    return _Float(lo, hi)


# --------------------------------------------------------------------------- writing


def canonical(exp: Experiment) -> Experiment:
    """The same experiment in the one form a link reproduces exactly.

    Only ``hyper`` has several spellings of one meaning: overrides are kept in
    ``OPTIMIZER_HYPER`` order, and overrides equal to the default or not used by the chosen
    optimizer are dropped. Compare ``canonical(a) == canonical(b)`` to ask "same link?".
    """
    defaults = OPTIMIZER_HYPER.get(exp.optimizer, {})
    given = dict(exp.hyper)
    hyper = tuple((k, float(given[k])) for k in defaults
                  if k in given and float(given[k]) != defaults[k])
    return exp if hyper == exp.hyper else exp.replace(hyper=hyper)


def to_query(exp: Experiment) -> dict[str, str]:
    """URL query parameters for ``exp``: only the settings that differ from the defaults."""
    exp = canonical(exp)
    out: dict[str, str] = {}
    for key, (fld, codec) in _SPEC.items():
        value = getattr(exp, fld)
        if value != getattr(DEFAULT, fld):
            out[key] = codec.encode(value)
    hyper = dict(exp.hyper)
    for key, name in HYPER_KEYS.items():
        if name in hyper:
            out[key] = _fmt_float(hyper[name])
    return out


def query_string(exp: Experiment) -> str:
    """``to_query`` urlencoded, without the leading '?' (for a "copy link" box).

    Commas, colons and '^' stay readable: browsers leave them as they are in a query.
    """
    return urllib.parse.urlencode(to_query(exp), safe=",:^")


# --------------------------------------------------------------------------- reading


def _one_value(raw: object, key: str, notes: list[str], lang: str) -> str | None:
    """The text of one parameter: the last of repeated values; None (and a note) if unusable."""
    if isinstance(raw, list | tuple):
        if len(raw) > 1 and len(set(map(repr, raw[-10:]))) > 1:
            notes.append(t("state.repeated", lang, param=key, count=len(raw)))
        raw = raw[-1] if raw else ""
    if not isinstance(raw, str):
        notes.append(t("state.bad_type", lang, param=key))
        return None
    if len(raw) > MAX_VALUE_CHARS:
        notes.append(t("state.too_long", lang, param=key, length=len(raw), limit=MAX_VALUE_CHARS))
        return None
    return raw.strip()


def _read(key: str, text: str, codec: _Codec, default: object, notes: list[str],
          lang: str) -> object:
    """Decode one setting; on failure keep ``default`` and say why."""
    try:
        value, adjusted = codec.decode(text)
    except (_Invalid, ValueError, OverflowError):
        shown = codec.encode(default) or t("state.nothing", lang)  # e.g. no hidden groups
        notes.append(t("state.bad_value", lang, param=key, value=_show(text),
                       expected=codec.expected(lang), default=shown))
        return default
    if adjusted:
        notes.append(t("state.adjusted", lang, param=key, value=_show(text),
                       used=codec.encode(value), expected=codec.expected(lang)))
    return value


def _from_query(params: Mapping, lang: str, ignore: Collection[str]) -> tuple[Experiment,
                                                                             list[str]]:
    notes: list[str] = []
    texts: dict[str, str] = {}
    unknown: list[str] = []
    n_unknown = 0
    for i, key in enumerate(params):
        if i >= _MAX_KEYS_SCANNED:
            notes.append(t("state.too_many", lang, limit=_MAX_KEYS_SCANNED))
            break
        if not isinstance(key, str):
            n_unknown += 1
            continue
        if key in _SPEC or key in HYPER_KEYS:
            text = _one_value(params[key], key, notes, lang)
            if text is not None:
                texts[key] = text
        elif key not in ignore:
            n_unknown += 1
            if len(unknown) < _MAX_KEYS_NAMED:
                unknown.append(_show(key))
    if n_unknown:
        more = n_unknown - len(unknown)
        listed = ", ".join(f"“{k}”" for k in unknown)
        notes.append(t("state.unknown_keys", lang, keys=listed) if not more else
                     t("state.unknown_keys_more", lang, keys=listed, more=more))

    changes: dict[str, object] = {}
    for key, (fld, codec) in _SPEC.items():
        if key in texts:
            changes[fld] = _read(key, texts[key], codec, getattr(DEFAULT, fld), notes, lang)
    optimizer = str(changes.get("optimizer", DEFAULT.optimizer))

    defaults = OPTIMIZER_HYPER[optimizer]
    given: dict[str, float] = {}
    for key, name in HYPER_KEYS.items():
        if key not in texts:
            continue
        if name not in defaults:
            notes.append(t("state.not_for_optimizer", lang, param=key, optimizer=optimizer,
                           valid=", ".join(k for k, v in HYPER_KEYS.items() if v in defaults)
                           or "—"))
            continue
        codec = _hyper_codec(optimizer, name)
        value = _read(key, texts[key], codec, defaults[name], notes, lang)
        if value != defaults[name]:
            given[name] = float(value)  # type: ignore[arg-type]
    changes["hyper"] = tuple((k, given[k]) for k in defaults if k in given)
    return DEFAULT.replace(**changes), notes


def from_query(params: Mapping[str, str | list[str]], lang: str = "en", *,
               ignore: Collection[str] = RESERVED_KEYS) -> tuple[Experiment, list[str]]:
    """Read an experiment from URL query parameters -> ``(experiment, notes)``.

    Each unknown key and each malformed or out-of-range value leaves that setting at its
    default (or clamps it into range) and adds one human-readable note in ``lang``. Keys in
    ``ignore`` belong to other parts of the app and pass silently. Never raises.
    """
    try:
        return _from_query(params, lang, ignore)
    except Exception:  # a link must never break the page; the tests fuzz _from_query bare
        return Experiment(), [t("state.unreadable", lang)]
