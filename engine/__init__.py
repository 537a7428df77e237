"""engine: a small, tested NumPy/SciPy deep-learning library built on one flat parameter vector.

    import engine as eg
    model = eg.Sequential([eg.layers.Dense(8, activation="tanh"),
                           eg.layers.Dense(1, activation="sigmoid")], input_shape=(2,), seed=0)
    model.compile(optimizer=eg.optim.SGD(lr=0.1, momentum=0.9), loss="binary_crossentropy",
                  metrics=["accuracy"])
"""

from engine import (
    activations,
    curvature,
    datasets,
    expression,
    gradcheck,
    images,
    initializers,
    io,
    landscape,
    layers,
    losses,
    metrics,
    optim,
    paths,
    scipy_optim,
    sequences,
    surfaces,
    tables,
    theory,
)
from engine.model import History, Sequential
from engine.params import ParamSpec
from engine.train import Trainer

__all__ = ["History", "ParamSpec", "Sequential", "Trainer", "activations", "curvature",
           "datasets", "landscape",
           "expression", "gradcheck", "initializers", "io", "layers", "losses", "metrics", "optim",
           "paths", "scipy_optim", "sequences", "surfaces", "theory", "images", "tables"]
__version__ = "0.1.0"
