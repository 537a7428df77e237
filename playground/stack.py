"""Layer stacks for the Images and Sequences pages: specs, their URL text, shapes and errors.

A stack is a tuple of :class:`Spec` (a layer kind and its settings). ``shapes`` walks the
stack from the data's per-sample shape and says, in the user's language, why a layer cannot
follow the one before it, naming both shapes; ``build_layers`` turns specs into engine layers.
The output layer is not part of a stack: pages append it from the task (shown, not hidden).
No streamlit here.

    specs = from_text("conv2d:8:3:1:same:relu,maxpool2d:2,flatten", "image")
    shapes(specs, (8, 8, 1), "image")   # [(8, 8, 8), (4, 4, 8), (128,)]
"""

from __future__ import annotations

from dataclasses import dataclass

import engine as eg

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu", "leaky_relu", "swish", "linear")
PADDINGS = ("same", "valid")
BOOLS = ("0", "1")

# kind -> ordered (setting, default); the order is the URL order.
KINDS: dict[str, tuple[tuple[str, object], ...]] = {
    "conv2d": (("filters", 8), ("kernel", 3), ("stride", 1), ("padding", "same"),
               ("activation", "relu")),
    "maxpool2d": (("pool", 2),),
    "avgpool2d": (("pool", 2),),
    "flatten": (),
    "dense": (("units", 32), ("activation", "relu")),
    "dropout": (("rate", 0.2),),
    "batchnorm": (),
    "embedding": (("dim", 8),),
    "simplernn": (("units", 16), ("return_sequences", 0)),
    "lstm": (("units", 16), ("return_sequences", 0)),
    "attention": (("units", 16), ("causal", 0)),
}
# Allowed values: (low, high) for numbers, a tuple of strings for choices.
RANGES: dict[str, tuple] = {
    "filters": (1, 64), "kernel": (1, 7), "stride": (1, 3), "padding": PADDINGS,
    "activation": ACTIVATIONS, "pool": (2, 4), "units": (1, 256), "rate": (0.0, 0.9),
    "dim": (1, 64), "return_sequences": (0, 1), "causal": (0, 1),
}
DOMAINS: dict[str, tuple[str, ...]] = {
    "image": ("conv2d", "maxpool2d", "avgpool2d", "batchnorm", "flatten", "dense", "dropout"),
    "sequence": ("embedding", "simplernn", "lstm", "attention", "flatten", "dense", "dropout",
                 "batchnorm"),
}
MAX_LAYERS = 10
LAYER_NAMES = {"conv2d": "Conv2D", "maxpool2d": "MaxPool2D", "avgpool2d": "AvgPool2D",
               "flatten": "Flatten", "dense": "Dense", "dropout": "Dropout",
               "batchnorm": "BatchNormalization", "embedding": "Embedding",
               "simplernn": "SimpleRNN", "lstm": "LSTM", "attention": "SelfAttention"}


class StackError(ValueError):
    """A stack that cannot be built; ``key`` is an i18n key (``stack.*``), ``fmt`` its values."""

    def __init__(self, key: str, **fmt):
        super().__init__(f"{key}: {fmt}")
        self.key = key
        self.fmt = fmt


@dataclass(frozen=True)
class Spec:
    """One layer: ``kind`` (a key of KINDS) and its settings as ordered (name, value) pairs."""

    kind: str
    settings: tuple[tuple[str, object], ...] = ()

    def __getitem__(self, name: str) -> object:
        return dict(self.settings)[name]

    @property
    def title(self) -> str:
        """The engine class name, e.g. "Conv2D"."""
        return LAYER_NAMES[self.kind]

    def text(self) -> str:
        """URL form: kind and values joined by ':' (e.g. "dense:32:relu")."""
        return ":".join([self.kind, *(_fmt(v) for _, v in self.settings)])


def _fmt(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check(name: str, value: object) -> object:
    allowed = RANGES[name]
    if isinstance(allowed[0], str):
        if value not in allowed:
            raise StackError("stack.bad_choice", setting=name, value=value,
                             expected=", ".join(allowed))
        return value
    low, high = allowed
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise StackError("stack.bad_number", setting=name, value=value, low=low,
                         high=high) from None
    if not low <= num <= high or (isinstance(low, int) and num != int(num)):
        raise StackError("stack.bad_number", setting=name, value=value, low=low, high=high)
    return int(num) if isinstance(low, int) else num


def make(kind: str, **settings: object) -> Spec:
    """A validated Spec; missing settings take their defaults, unknown ones are refused."""
    if kind not in KINDS:
        raise StackError("stack.unknown_kind", kind=kind, expected=", ".join(KINDS))
    known = dict(KINDS[kind])
    extra = sorted(set(settings) - set(known))
    if extra:
        raise StackError("stack.unknown_setting", kind=kind, setting=extra[0],
                         expected=", ".join(known) or "-")
    return Spec(kind, tuple((name, _check(name, settings.get(name, default)))
                            for name, default in KINDS[kind]))


def to_text(specs: tuple[Spec, ...] | list[Spec]) -> str:
    """Stack -> "conv2d:8:3:1:same:relu,maxpool2d:2,flatten" (URL-safe)."""
    return ",".join(s.text() for s in specs)


def from_text(text: str, domain: str) -> tuple[Spec, ...]:
    """Parse :func:`to_text` output; raises StackError naming the bad part."""
    if not isinstance(text, str) or not text.strip():
        return ()
    parts = text.split(",")
    if len(parts) > MAX_LAYERS:
        raise StackError("stack.too_many", n=len(parts), cap=MAX_LAYERS)
    specs = []
    for part in parts:
        kind, *values = part.strip().split(":")
        if kind not in KINDS:
            raise StackError("stack.unknown_kind", kind=kind, expected=", ".join(KINDS))
        if kind not in DOMAINS[domain]:
            raise StackError("stack.wrong_domain", layer=LAYER_NAMES[kind], domain=domain,
                             expected=", ".join(LAYER_NAMES[k] for k in DOMAINS[domain]))
        names = [name for name, _ in KINDS[kind]]
        if len(values) > len(names):
            raise StackError("stack.too_many_values", text=part, n=len(values),
                             expected=len(names))
        specs.append(make(kind, **dict(zip(names, values))))
    return tuple(specs)


def describe(shape: tuple[int, ...]) -> str:
    """A per-sample shape as people write it: (8, 8, 16)."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _needs(kind: str) -> tuple[int, ...] | None:
    """Input ranks a kind accepts (None: any)."""
    return {"conv2d": (3,), "maxpool2d": (3,), "avgpool2d": (3,), "dense": (1,),
            "simplernn": (2,), "lstm": (2,), "attention": (2,), "embedding": (1,)}.get(kind)


_RANK_WORDS = {1: "stack.rank_vector", 2: "stack.rank_sequence", 3: "stack.rank_image"}


def _step(spec: Spec, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Output shape of one layer, or a StackError; the shape rules mirror the engine's."""
    k = spec.kind
    if k == "conv2d":
        h, w, _ = shape
        f, s = spec["kernel"], spec["stride"]
        if spec["padding"] == "same":
            return (-(-h // s), -(-w // s), spec["filters"])
        if f > min(h, w):
            raise StackError("stack.too_small", layer="Conv2D", shape=describe(shape), size=f)
        return ((h - f) // s + 1, (w - f) // s + 1, spec["filters"])
    if k in ("maxpool2d", "avgpool2d"):
        h, w, c = shape
        p = spec["pool"]
        if p > min(h, w):
            raise StackError("stack.too_small", layer=spec.title, shape=describe(shape), size=p)
        return (h // p, w // p, c)
    if k == "flatten":
        n = 1
        for s in shape:
            n *= int(s)
        return (n,)
    if k == "dense":
        return (spec["units"],)
    if k == "embedding":
        return (shape[0], spec["dim"])
    if k in ("simplernn", "lstm"):
        return (shape[0], spec["units"]) if spec["return_sequences"] else (spec["units"],)
    if k == "attention":
        return (shape[0], spec["units"])
    return shape  # dropout, batchnorm


def shapes(specs: tuple[Spec, ...] | list[Spec], input_shape: tuple[int, ...], domain: str,
           integer_ids: bool = False) -> list[tuple[int, ...]]:
    """Per-sample output shape after each layer (same length as ``specs``).

    ``integer_ids`` says the data holds token ids (n, T), which only Embedding may take first.
    Raises StackError with the layer's position and name, what it needs, and what it got.
    """
    if len(specs) > MAX_LAYERS:
        raise StackError("stack.too_many", n=len(specs), cap=MAX_LAYERS)
    shape, out = tuple(int(s) for s in input_shape), []
    prev: tuple[int, str] | None = None
    for i, spec in enumerate(specs):
        if spec.kind not in DOMAINS[domain]:
            raise StackError("stack.wrong_domain", layer=spec.title, domain=domain,
                             expected=", ".join(LAYER_NAMES[k] for k in DOMAINS[domain]))
        if spec.kind == "embedding" and (i > 0 or not integer_ids):
            raise StackError("stack.embedding_first", i=i + 1, shape=describe(shape))
        if i == 0 and integer_ids and spec.kind != "embedding":
            raise StackError("stack.ids_need_embedding", layer=spec.title,
                             shape=describe(shape))
        ranks = _needs(spec.kind)
        if ranks is not None and len(shape) not in ranks:
            where = {"prev_i": prev[0], "prev": prev[1]} if prev else {}
            raise StackError("stack.mismatch" if prev else "stack.mismatch_data", i=i + 1,
                             layer=spec.title, need=_RANK_WORDS[ranks[0]],
                             shape=describe(shape), hint=_hint(spec.kind, len(shape)), **where)
        shape = _step(spec, shape)
        out.append(shape)
        prev = (i + 1, spec.title)
    return out


def message(err: StackError, tr) -> str:
    """The error in the user's language (``tr`` is a playground.i18n.Translator)."""
    fmt = {k: tr(v) if isinstance(v, str) and v.startswith("stack.") else v
           for k, v in err.fmt.items()}
    return tr(err.key, **fmt)


def _hint(kind: str, rank: int) -> str:
    """The i18n key of the usual fix for a rank mismatch."""
    if kind == "dense":
        return "stack.hint_flatten"
    if kind in ("simplernn", "lstm", "attention") and rank == 1:
        return "stack.hint_return_sequences"
    return "stack.hint_order"


def build_layers(specs: tuple[Spec, ...] | list[Spec], vocab: int | None = None,
                 seed: int = 0) -> list:
    """Engine layers for ``specs`` (Embedding needs the vocabulary size ``vocab``)."""
    layers = []
    for i, s in enumerate(specs):
        k = s.kind
        if k == "conv2d":
            layers.append(eg.layers.Conv2D(s["filters"], s["kernel"], strides=s["stride"],
                                           padding=s["padding"], activation=s["activation"]))
        elif k == "maxpool2d":
            layers.append(eg.layers.MaxPool2D(s["pool"]))
        elif k == "avgpool2d":
            layers.append(eg.layers.AvgPool2D(s["pool"]))
        elif k == "flatten":
            layers.append(eg.layers.Flatten())
        elif k == "dense":
            layers.append(eg.layers.Dense(s["units"], activation=s["activation"]))
        elif k == "dropout":
            layers.append(eg.layers.Dropout(s["rate"], seed=seed + i))
        elif k == "batchnorm":
            layers.append(eg.layers.BatchNormalization())
        elif k == "embedding":
            if not vocab:
                raise StackError("stack.embedding_first", i=i + 1, shape="-")
            layers.append(eg.layers.Embedding(vocab, s["dim"]))
        elif k == "simplernn":
            layers.append(eg.layers.SimpleRNN(s["units"],
                                              return_sequences=bool(s["return_sequences"])))
        elif k == "lstm":
            layers.append(eg.layers.LSTM(s["units"],
                                         return_sequences=bool(s["return_sequences"])))
        elif k == "attention":
            layers.append(eg.layers.SelfAttention(s["units"], causal=bool(s["causal"])))
    return layers
