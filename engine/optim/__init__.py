"""First-order optimizers over one flat parameter vector (PyTorch's names and rules).

    from engine import optim
    opt = optim.Adam(lr=1e-3)
    opt.step(params, grads)        # params updated in place; grads untouched

See ``base.Optimizer`` for the shared interface (state, state_dict, schedules,
clipping) and ``aliases.get`` for the Keras-spelled names ("sgd", "rmsprop", ...).
"""

from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .aliases import ALIASES, get
from .base import Optimizer, from_state_dict, registry
from .clipping import clip_by_global_norm, global_norm
from .nadam import NAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "ALIASES",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "NAdam",
    "Optimizer",
    "RMSprop",
    "clip_by_global_norm",
    "from_state_dict",
    "get",
    "global_norm",
    "registry",
    "schedules",
]
