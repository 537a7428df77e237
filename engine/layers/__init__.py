"""Layers: one module per family. Every layer follows the contract in :mod:`engine.layers.base`."""

from engine.layers.base import Layer
from engine.layers.dense import Dense
from engine.layers.dropout import Dropout
from engine.layers.reshape import Flatten

_REGISTRY = {cls.__name__: cls for cls in (Dense, Dropout, Flatten)}


def register(cls: type[Layer]) -> type[Layer]:
    """Make a layer class known to :func:`from_config` (for saving and loading models)."""
    _REGISTRY[cls.__name__] = cls
    return cls


def from_config(config: dict) -> Layer:
    """Rebuild a layer from ``{"class": name, "config": {...}}``."""
    if not isinstance(config, dict) or "class" not in config:
        raise ValueError(f"a layer config must be a dict with a 'class' key, got {config!r}")
    cls = _REGISTRY.get(config["class"])
    if cls is None:
        raise ValueError(f"unknown layer class {config['class']!r}; expected one of "
                         f"{sorted(_REGISTRY)}")
    try:
        return cls(**config.get("config", {}))
    except TypeError as exc:
        raise ValueError(f"bad config for layer {config['class']}: {exc}") from None


# The image and sequence layers register themselves when imported (after register exists).
from engine.layers.attention import SelfAttention  # noqa: E402
from engine.layers.conv import Conv2D  # noqa: E402
from engine.layers.embedding import Embedding  # noqa: E402
from engine.layers.normalization import BatchNormalization  # noqa: E402
from engine.layers.pool import AvgPool2D, MaxPool2D  # noqa: E402
from engine.layers.recurrent import LSTM, SimpleRNN  # noqa: E402

__all__ = ["Layer", "Dense", "Dropout", "Flatten", "Conv2D", "MaxPool2D", "AvgPool2D",
           "BatchNormalization", "SimpleRNN", "LSTM", "Embedding", "SelfAttention", "register",
           "from_config"]
