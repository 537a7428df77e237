"""Named lecture scenarios: one click sets up an experiment that shows one idea.

Each preset is a plain :class:`~playground.config.Experiment` plus its words (title, two or
three sentences, and a thing to try) in the ``presets.json`` catalogs, English and Simplified
Chinese. ``steps`` is how long to train before the point is plain; the tests train each preset
that far with the engine and check the claim its text makes.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.config import Experiment, LayerSpec
from playground.i18n import DEFAULT, catalog, t

__all__ = ["PRESETS", "TOPICS", "Preset", "get", "keys"]

# Lecture topics, in course order; labels are "preset.topic.<name>".
TOPICS: tuple[str, ...] = ("learning_rate", "activations", "optimizers", "capacity",
                           "regularization", "features", "regression")


@dataclass(frozen=True)
class Preset:
    """A lecture scenario. ``compare`` names a companion preset that differs in one setting."""

    key: str
    experiment: Experiment
    topic: str
    steps: int
    compare: str | None = None

    def title(self, lang: str = DEFAULT) -> str:
        return t(f"preset.{self.key}.title", lang)

    def text(self, lang: str = DEFAULT) -> str:
        return t(f"preset.{self.key}.text", lang)

    def try_this(self, lang: str = DEFAULT) -> str | None:
        """The question or thing to try next, or None when the preset has none."""
        key = f"preset.{self.key}.try"
        return t(key, lang) if key in catalog(DEFAULT) else None

    def topic_label(self, lang: str = DEFAULT) -> str:
        return t(f"preset.topic.{self.topic}", lang)


_XY = ("x1", "x2")
_TANH_2x8 = (LayerSpec(8, "tanh"), LayerSpec(8, "tanh"))
_RELU_3x32 = (LayerSpec(32, "relu"),) * 3

# The learning-rate pair: the same small tanh net on the circle, plain SGD; only lr differs
# (0.3 fits it in a few hundred steps; the tests check that too).
_LR_BASE = Experiment(dataset="circle", features=_XY, layers=_TANH_2x8, optimizer="sgd",
                      lr=0.3, batch_size=10)
# Few noisy points and a big network: memorised training set, poor test loss.
_OVERFIT = Experiment(dataset="two_moons", n_samples=100, train_pct=20, noise=30, features=_XY,
                      layers=_RELU_3x32, optimizer="adam", lr=0.03, show_test=True)
_XOR = Experiment(dataset="xor", features=_XY, layers=(), optimizer="adam", lr=0.03)
_DEEP = Experiment(dataset="circle", features=_XY, layers=(LayerSpec(8, "sigmoid"),) * 6,
                   optimizer="sgd", lr=0.1)
_REGRESSION = Experiment(dataset="reg_plane", features=_XY, layers=(), output_activation="linear",
                         loss="mean_squared_error", optimizer="sgd", lr=0.01)

_ALL = (
    Preset("lr_too_large", _LR_BASE.replace(lr=10.0), "learning_rate", 300),
    Preset("lr_too_small", _LR_BASE.replace(lr=1e-4), "learning_rate", 500),
    Preset("sigmoid_vanishing", _DEEP, "activations", 300, compare="relu_deep"),
    Preset("relu_deep", _DEEP.replace(layers=(LayerSpec(8, "relu"),) * 6,
                                      initializer="he_uniform"),
           "activations", 300, compare="sigmoid_vanishing"),
    Preset("momentum_spiral", Experiment(optimizer="momentum", lr=0.03), "optimizers", 1500),
    Preset("adam_vs_sgd", Experiment(dataset="two_moons", features=_XY, layers=_TANH_2x8,
                                     optimizer="adam", lr=0.01), "optimizers", 1000),
    Preset("xor_linear", _XOR, "capacity", 1000, compare="xor_hidden"),
    Preset("xor_hidden", _XOR.replace(layers=(LayerSpec(4, "tanh"),)), "capacity", 1000,
           compare="xor_linear"),
    Preset("overfit", _OVERFIT, "regularization", 1000, compare="overfit_l2"),
    Preset("overfit_l2", _OVERFIT.replace(l2=0.01), "regularization", 1000, compare="overfit"),
    Preset("dropout", Experiment(dataset="two_moons", n_samples=200, train_pct=30, noise=20,
                                 features=_XY, layers=(LayerSpec(32, "relu", 0.3),) * 3,
                                 optimizer="adam", lr=0.01, show_test=True),
           "regularization", 1000),
    Preset("features_circle", Experiment(dataset="circle", features=("x1^2", "x2^2"), layers=(),
                                         optimizer="adam", lr=0.03), "features", 200),
    Preset("regression_plane", _REGRESSION, "regression", 300),
    Preset("regression_bumps", _REGRESSION.replace(dataset="reg_gauss", layers=_TANH_2x8,
                                                   optimizer="adam", lr=0.03),
           "regression", 2000),
)

PRESETS: dict[str, Preset] = {p.key: p for p in _ALL}


def get(key: str) -> Preset:
    """The preset named ``key`` (KeyError listing the valid names otherwise)."""
    try:
        return PRESETS[key]
    except KeyError:
        raise KeyError(f"unknown preset {key!r}; expected one of {list(PRESETS)}") from None


def keys() -> tuple[str, ...]:
    """Preset names in lecture order."""
    return tuple(PRESETS)
