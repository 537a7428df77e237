"""What defines an experiment on the Network page: a plain, validated, JSON-able dataclass.

Everything here round-trips through the URL query string (``playground.state``) and the
experiment file (``engine.io`` ``extra``), so a shared link or a downloaded file reproduces the
same experiment. No streamlit here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from engine import activations, datasets, initializers

CLASSIFICATION_SETS = ("two_moons", "spiral", "circle", "xor", "gauss")
REGRESSION_SETS = ("reg_plane", "reg_gauss")
DATASETS = CLASSIFICATION_SETS + REGRESSION_SETS
FEATURES = datasets.FEATURES
HIDDEN_ACTIVATIONS = ("tanh", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "softplus",
                      "swish", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "linear", "tanh", "softmax")
LOSSES = ("binary_crossentropy", "mean_squared_error")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adadelta",
              "nadam")
SCHEDULES = ("constant", "step", "exponential", "cosine", "warmup")
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
                "playground_uniform")
MAX_LAYERS = 8
MAX_UNITS = 64
MAX_SAMPLES = 2000
LR_RANGE = (1e-5, 10.0)
REG_RANGE = (0.0, 1.0)

# Hyper-parameters each optimizer exposes besides lr (name -> default), PyTorch's names.
OPTIMIZER_HYPER: dict[str, dict[str, float]] = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
    "adadelta": {"rho": 0.9, "eps": 1e-6},
    "nadam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


@dataclass(frozen=True)
class LayerSpec:
    units: int = 8
    activation: str = "tanh"
    dropout: float = 0.0


@dataclass(frozen=True)
class Experiment:
    """Every setting of the Network page. Defaults are the experiment the app opens on."""

    # data
    dataset: str = "spiral"
    n_samples: int = 500
    noise: int = 0  # percent, 0..50
    train_pct: int = 50  # percent of samples used for training, 10..90
    data_seed: int = 0
    features: tuple[str, ...] = ("x1", "x2", "sin_x1", "sin_x2")
    # network
    layers: tuple[LayerSpec, ...] = (LayerSpec(8, "tanh"), LayerSpec(8, "tanh"))
    output_activation: str = "sigmoid"
    loss: str = "binary_crossentropy"
    initializer: str = "glorot_uniform"
    seed: int = 0
    # training
    optimizer: str = "adam"
    lr: float = 0.03
    hyper: tuple[tuple[str, float], ...] = ()  # overrides of OPTIMIZER_HYPER[optimizer]
    schedule: str = "constant"
    batch_size: int = 10  # 0 means the full training set
    l1: float = 0.0
    l2: float = 0.0
    # view
    steps_per_frame: int = 25
    show_test: bool = False
    discretize: bool = False
    # classroom: names of control groups hidden in a shared link
    hidden: tuple[str, ...] = field(default=())

    # -- derived ------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return datasets.kind(self.dataset)

    def hyperparameters(self) -> dict[str, float]:
        """The optimizer's full set of exposed hyper-parameters (defaults + overrides)."""
        hp = dict(OPTIMIZER_HYPER[self.optimizer])
        hp.update({k: v for k, v in self.hyper if k in hp})
        return hp

    def replace(self, **changes) -> Experiment:
        return dataclasses.replace(self, **changes)

    def architecture_key(self) -> tuple:
        """Settings whose change needs a new model (and so a reset)."""
        return (self.dataset, self.n_samples, self.noise, self.train_pct, self.data_seed,
                self.features, self.layers, self.output_activation, self.loss, self.initializer,
                self.seed)

    def optimizer_key(self) -> tuple:
        """Settings whose change needs a new optimizer object (state is kept where possible)."""
        return (self.optimizer, self.hyper, self.schedule)

    def problems(self) -> list[str]:
        """Combinations that cannot work, as message keys for i18n (empty when fine)."""
        out = []
        if self.task == "regression" and self.loss == "binary_crossentropy":
            out.append("problem.bce_on_regression")
        if self.output_activation == "softmax":
            out.append("problem.softmax_single_output")
        if self.loss == "binary_crossentropy" and self.output_activation != "sigmoid":
            out.append("problem.bce_needs_sigmoid")
        if not self.features:
            out.append("problem.no_features")
        return out


def validate_names() -> None:
    """Fail loudly at import if a name here is unknown to the engine."""
    known_acts = set(activations.names())
    for a in HIDDEN_ACTIVATIONS + OUTPUT_ACTIVATIONS:
        assert a in known_acts, a
    for i in INITIALIZERS:
        initializers.get(i)
    for d in DATASETS:
        datasets.kind(d)


validate_names()
