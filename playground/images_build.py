"""From an Images-page config to engine objects, and from engine objects to what the views draw.

No streamlit here: the page (``playground.views.images``) calls these and hands the results to
``playground.charts_images``. Data sets come from ``engine.images`` and are kept per process
(read-only arrays; every session takes its own capped, split copies).

    data = load_data(cfg)                         # ImageData (raises ImageDataError)
    trainer = build_trainer(cfg, data)            # raises stack.StackError for a bad stack
    shape_rows(cfg.stack, data.input_shape, 10)   # the shapes table
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np

import engine as eg
from playground import optimizers, stack
from playground.config import OPTIMIZER_HYPER
from playground.images_config import SAMPLE_RANGES, ImagesConfig

__all__ = ["MAX_PARAMS", "MNIST_ENV", "ImageData", "ImageDataError", "SampleView",
           "available_datasets", "build_model", "build_trainer", "check_stack", "confusion",
           "feature_maps", "first_layer_weights", "load_data", "make_optimizer", "mnist_path",
           "param_count", "sample_view", "shape_rows"]

MNIST_ENV = "PLAYGROUND_MNIST"
# Upper bound on trainable numbers for one session's network (fairness between sessions).
MAX_PARAMS = 1_000_000
DTYPE = "float32"  # half the memory traffic of float64; the views need no more precision
RECORD_EVERY = 25  # full train/test metrics every this many steps (and at the end of a frame)
N_SAMPLES_SHOWN = 16  # the grid of test images
MAX_MAPS = 16  # feature maps / filters shown per layer
MAX_MAP_LAYERS = 2  # conv layers whose feature maps are shown
MNIST_MIN_TEST = 500
MNIST_MAX_TEST = 1000  # test images per frame's evaluation (an estimate to about ±1.5 %)
# Training images the per-frame metrics are computed on: the digits always whole; MNIST on a
# fixed sample (a full pass over 60,000 28×28 images would take seconds per frame).
EVAL_MAX = {"digits": 2000, "mnist": 1000}


class ImageDataError(ValueError):
    """Data that cannot be loaded; ``key`` is an i18n key (``img.*``), ``fmt`` its values."""

    def __init__(self, key: str, **fmt):
        super().__init__(f"{key}: {fmt}")
        self.key = key
        self.fmt = fmt


@dataclass
class ImageData:
    X_train: np.ndarray  # (n, h, w, c) in [0, 1]
    y_train: np.ndarray  # (n,) int64 class ids
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    dataset: str
    n_test_available: int  # test images the source has (MNIST: its own test set)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.X_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


# -- data -------------------------------------------------------------------------------------
def mnist_path() -> str | None:
    """The lecturer's MNIST location (``$PLAYGROUND_MNIST``), if it names a file or folder."""
    path = os.environ.get(MNIST_ENV, "").strip()
    return path if path and os.path.exists(path) else None


def available_datasets() -> tuple[str, ...]:
    return ("digits", "mnist") if mnist_path() else ("digits",)


_cache: dict[str, object] = {}
_cache_lock = threading.Lock()


def _source(name: str, path: str | None = None):
    """The whole data set, loaded once per process (and per MNIST path)."""
    from engine import images  # lazily: scikit-learn is imported only when digits are used

    key = name if name == "digits" else f"mnist:{path}"
    with _cache_lock:
        if key not in _cache:
            _cache[key] = images.load_digits() if name == "digits" else images.load_mnist(path)
        return _cache[key]


def _permuted(X: np.ndarray, y: np.ndarray, n: int, seed: int, salt: int):
    """The first ``n`` of a seeded permutation of (X, y)."""
    n = max(0, min(int(n), X.shape[0]))
    idx = np.random.default_rng([int(seed), salt]).permutation(X.shape[0])[:n]
    return X[idx], np.asarray(y)[idx].astype(np.int64)


def load_data(cfg: ImagesConfig) -> ImageData:
    """The capped train/test split ``cfg`` asks for.

    Digits: ``n_samples`` images are split ``train_pct`` % / rest. MNIST: ``n_samples``
    training images and a fifth as many (at least 500) of its own test images.
    """
    if cfg.dataset == "mnist":
        path = mnist_path()
        if path is None:
            raise ImageDataError("img.error.mnist_unset", env=MNIST_ENV)
        try:
            ds = _source("mnist", path)
        except (ValueError, OSError) as err:  # engine.images.ImageFileError is a ValueError
            raise ImageDataError("img.error.mnist_failed", env=MNIST_ENV, reason=str(err)) \
                from None
        Xtr, ytr, Xte, yte = ds.split(seed=cfg.data_seed)  # MNIST's own test set
        lo, hi, _ = SAMPLE_RANGES["mnist"]
        n = min(max(cfg.n_samples, lo), hi)
        available = Xte.shape[0]
        n_test = min(available, max(MNIST_MIN_TEST, min(n // 5, MNIST_MAX_TEST)))
        Xtr, ytr = _permuted(Xtr, ytr, n, cfg.data_seed, 1)
        Xte, yte = _permuted(Xte, yte, n_test, cfg.data_seed, 2)
    else:
        try:
            ds = _source("digits")
        except ImportError as err:
            raise ImageDataError("img.error.digits_failed", reason=str(err)) from None
        Xtr, ytr, Xte, yte = ds.split(cfg.train_pct / 100.0, seed=cfg.data_seed)
        total = Xtr.shape[0] + Xte.shape[0]
        n = min(max(int(cfg.n_samples), 2), total)
        n_tr = max(1, min(Xtr.shape[0], round(n * Xtr.shape[0] / total)))
        n_te = max(1, min(Xte.shape[0], n - n_tr))
        available = Xte.shape[0]
        Xtr, ytr = _permuted(Xtr, ytr, n_tr, cfg.data_seed, 1)
        Xte, yte = _permuted(Xte, yte, n_te, cfg.data_seed, 2)
    names = tuple(str(c) for c in ds.class_names)
    return ImageData(np.ascontiguousarray(Xtr, dtype=np.float32), ytr,
                     np.ascontiguousarray(Xte, dtype=np.float32), yte, names, cfg.dataset,
                     int(available))


# -- the network ----------------------------------------------------------------------------
def output_check_spec(n_classes: int) -> stack.Spec:
    """A stand-in for the output layer Dense(n_classes, softmax) in shape checks."""
    return stack.make("dense", units=int(n_classes), activation="linear")


def check_stack(specs, input_shape: tuple[int, ...], n_classes: int) -> list[tuple[int, ...]]:
    """Shapes after each layer, the output layer last; raises stack.StackError."""
    return stack.shapes((*specs, output_check_spec(n_classes)), input_shape, "image")


def param_count(spec: stack.Spec, in_shape: tuple[int, ...]) -> int:
    """Trainable numbers of one layer given its per-sample input shape."""
    k = spec.kind
    if k == "conv2d":
        return spec["kernel"] ** 2 * in_shape[-1] * spec["filters"] + spec["filters"]
    if k == "dense":
        return in_shape[-1] * spec["units"] + spec["units"]
    if k == "batchnorm":
        return 2 * in_shape[-1]
    return 0


def shape_rows(specs, input_shape: tuple[int, ...], n_classes: int
               ) -> tuple[list[dict], stack.StackError | None]:
    """Rows of the shapes table: the input, each layer, the output layer (kind "output").

    Each row: ``{"kind", "spec", "shape" (tuple or None), "params" (int or None)}``. On a
    stack that does not fit, the rows stop at the layer that fails (shape None) and the error
    is returned too.
    """
    full = (*specs, output_check_spec(n_classes))
    rows: list[dict] = [{"kind": "input", "spec": None, "shape": tuple(input_shape),
                         "params": None}]
    try:
        shapes = stack.shapes(full, input_shape, "image")
        error = None
    except stack.StackError as err:
        error = err
        shapes = []
        for i in range(len(full)):  # the longest prefix that fits
            try:
                shapes = stack.shapes(full[:i + 1], input_shape, "image")
            except stack.StackError:
                break
    prev = tuple(input_shape)
    for i, spec in enumerate(full):
        kind = "output" if i == len(full) - 1 else spec.kind
        if i < len(shapes):
            rows.append({"kind": kind, "spec": spec, "shape": shapes[i],
                         "params": param_count(spec, prev)})
            prev = shapes[i]
        else:
            rows.append({"kind": kind, "spec": spec, "shape": None, "params": None})
            break
    return rows, error


def make_optimizer(name: str, lr: float):
    """An engine optimizer with the playground's defaults for its other hyper-parameters."""
    hp = OPTIMIZER_HYPER.get(name)
    if hp is None:
        raise ValueError(f"unknown optimizer {name!r}")
    return optimizers.make_optimizer(name, lr, hp)


class TooBigError(ValueError):
    def __init__(self, n: int):
        super().__init__(f"{n} parameters")
        self.n = n
        self.key = "img.error.too_big"
        self.fmt = {"n": f"{n:,}", "cap": f"{MAX_PARAMS:,}"}


def build_model(specs, input_shape: tuple[int, ...], n_classes: int, seed: int = 0,
                optimizer: str = "adam", lr: float = 0.01) -> eg.Sequential:
    """The compiled network: the stack, then Dense(n_classes, softmax).

    Raises stack.StackError when the layers do not fit the data, TooBigError above MAX_PARAMS.
    """
    rows, error = shape_rows(specs, input_shape, n_classes)
    if error is not None:
        raise error
    n = sum(r["params"] or 0 for r in rows)
    if n > MAX_PARAMS:
        raise TooBigError(n)
    layers = stack.build_layers(specs, seed=seed)
    layers.append(eg.layers.Dense(int(n_classes), activation="softmax"))
    model = eg.Sequential(layers, input_shape=input_shape, seed=int(seed), dtype=DTYPE)
    model.compile(optimizer=make_optimizer(optimizer, lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class ImageTrainer(eg.Trainer):
    """A Trainer whose recorded training loss and accuracy come from a fixed sample of at most
    ``eval_max`` training images (all of them when there are fewer), so that one live frame's
    bookkeeping stays cheap on MNIST. Training itself uses every image."""

    def __init__(self, *args, eval_max: int | None = None, **kwargs):
        self.eval_max = eval_max
        self._eval = None
        super().__init__(*args, **kwargs)

    def _record_metrics(self, s: int) -> None:
        n = self.X.shape[0]
        if self.eval_max is None or n <= self.eval_max:
            return super()._record_metrics(s)
        if self._eval is None or self._eval[0] is not self.X:
            idx = np.sort(np.random.default_rng([int(self.seed), 3]).choice(
                n, self.eval_max, replace=False))
            self._eval = (self.X, self.X[idx], self.y[idx])
        full = self.X, self.y
        self.X, self.y = self._eval[1], self._eval[2]
        try:
            super()._record_metrics(s)
        finally:
            self.X, self.y = full

    @property
    def n_eval(self) -> int:
        n = self.X.shape[0]
        return n if self.eval_max is None else min(n, self.eval_max)


def build_trainer(cfg: ImagesConfig, data: ImageData) -> ImageTrainer:
    model = build_model(cfg.stack, data.input_shape, data.n_classes, cfg.seed, cfg.optimizer,
                        cfg.lr)
    return ImageTrainer(model, data.X_train, data.y_train, data.X_test, data.y_test,
                        batch_size=cfg.batch_size, seed=cfg.seed, record_every=RECORD_EVERY,
                        histogram_every=10**6, snapshot_every=10**6, capacity=1000,
                        snapshot_capacity=4, eval_max=EVAL_MAX.get(data.dataset))


def apply_live_settings(trainer: eg.Trainer, cfg: ImagesConfig) -> None:
    """Learning rate and batch size take effect without a restart."""
    trainer.model.optimizer.lr = float(cfg.lr)
    trainer.set_batch_size(int(cfg.batch_size))


def swap_optimizer(trainer: eg.Trainer, cfg: ImagesConfig) -> None:
    """A new optimizer (fresh state) on the current weights."""
    trainer.model.optimizer = make_optimizer(cfg.optimizer, cfg.lr)


# -- what the views draw ----------------------------------------------------------------------
@dataclass
class SampleView:
    images: np.ndarray  # (k, h, w) in [0, 1]
    true: np.ndarray  # (k,) int
    pred: np.ndarray  # (k,) int
    confidence: np.ndarray  # (k,) probability of the predicted class
    index: np.ndarray  # (k,) position in the test set


def predict(model: eg.Sequential, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, n_classes)."""
    return model.predict(X, batch_size=256)  # small batches stay in cache: faster


def sample_view(probs: np.ndarray, data: ImageData, k: int = N_SAMPLES_SHOWN) -> SampleView:
    """The first ``k`` test images (the test set is already shuffled) with their predictions."""
    k = min(int(k), data.X_test.shape[0])
    p = probs[:k]
    pred = p.argmax(axis=1)
    imgs = data.X_test[:k]
    imgs = imgs.mean(axis=-1) if imgs.ndim == 4 else imgs
    return SampleView(imgs, data.y_test[:k].astype(np.int64), pred.astype(np.int64),
                      p[np.arange(k), pred], np.arange(k))


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat[: n_classes * n_classes].reshape(n_classes, n_classes)


def first_layer_weights(model: eg.Sequential, max_units: int = MAX_MAPS) -> dict:
    """The first layer with a kernel, as small pictures.

    Returns ``{"kind": "conv2d"|"dense"|None, "layer": index, "maps": (k, h, w) or None,
    "total": units/filters in the layer}``. Conv2D: each filter's kernel (channels averaged
    when the input has several). Dense: each unit's weights reshaped to the picture it reads
    (only when it reads a one-channel picture through Flatten; otherwise ``maps`` is None).
    """
    shape = tuple(model.input_shape)
    for i, layer in enumerate(model.layers):
        params = model.layer_params(layer.name)
        W = params.get("W")
        if isinstance(layer, eg.layers.Conv2D) and W is not None:
            k = W.mean(axis=2) if W.shape[2] > 1 else W[:, :, 0, :]
            maps = np.moveaxis(k, -1, 0)[:max_units]
            return {"kind": "conv2d", "layer": i, "maps": np.array(maps, dtype=np.float32),
                    "total": int(W.shape[-1])}
        if isinstance(layer, eg.layers.Dense) and W is not None:
            maps = None
            if len(shape) == 3 and shape[2] == 1 and W.shape[0] == shape[0] * shape[1]:
                maps = np.array(W.T[:max_units].reshape(-1, shape[0], shape[1]),
                                dtype=np.float32)
            return {"kind": "dense", "layer": i, "maps": maps, "total": int(W.shape[1])}
        out = getattr(layer, "output_shape", None)
        if out is not None and len(out) == 3:
            shape = tuple(out)
    return {"kind": None, "layer": None, "maps": None, "total": 0}


def feature_maps(model: eg.Sequential, image: np.ndarray, max_layers: int = MAX_MAP_LAYERS,
                 max_maps: int = MAX_MAPS) -> list[dict]:
    """The outputs of the first Conv2D layers for one image (h, w, c).

    Returns per layer ``{"layer": index, "maps": (k, h, w) float32, "total": channels}``.
    """
    conv = [i for i, layer in enumerate(model.layers) if isinstance(layer, eg.layers.Conv2D)]
    conv = conv[:max_layers]
    if not conv:
        return []
    outs = model.layer_outputs(np.asarray(image)[None])
    return [{"layer": i, "maps": np.array(np.moveaxis(outs[i][0], -1, 0)[:max_maps],
                                          dtype=np.float32),
             "total": int(outs[i].shape[-1])} for i in conv]


def layer_titles(model: eg.Sequential) -> list[str]:
    """"Conv2D" etc. per layer (the engine class name)."""
    return [type(layer).__name__ for layer in model.layers]
