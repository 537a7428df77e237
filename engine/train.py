"""Trainer: step-wise training for live views, with a bounded history and a divergence guard.

The app never blocks in a long ``fit``. It keeps a Trainer and calls ``step(n)`` or
``run(budget_seconds)`` once per frame; the trainer returns fresh metrics and keeps what the
charts draw: losses, accuracy, per-layer gradient norms, per-layer weight and gradient
histograms on fixed bins, and parameter snapshots for trajectories. Every series is bounded:
when one fills up, every other point is dropped and the recording stride doubles, so a long run
keeps its whole shape in constant memory.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.model import BatchFeed, Sequential


class Series:
    """A bounded record of (step, value) that thins itself instead of growing.

    When ``capacity`` is reached every other point is dropped and the stride doubles; the most
    recent point is always included in ``steps``/``values`` so live curves end at "now".
    """

    def __init__(self, capacity: int = 2000):
        if capacity < 4:
            raise ValueError(f"capacity must be at least 4, got {capacity}")
        self.capacity = int(capacity)
        self.stride = 1
        self._steps: list[int] = []
        self._values: list = []
        self._latest: tuple[int, object] | None = None
        self._seen = 0

    def add(self, step: int, value) -> None:
        self._latest = (step, value)
        self._seen += 1
        if (self._seen - 1) % self.stride:
            return
        self._steps.append(step)
        self._values.append(value)
        if len(self._steps) >= self.capacity:
            self._steps = self._steps[::2]
            self._values = self._values[::2]
            self.stride *= 2

    def _with_latest(self, kept: list, index: int) -> list:
        if self._latest is None or (self._steps and self._steps[-1] == self._latest[0]):
            return list(kept)
        return [*kept, self._latest[index]]

    @property
    def steps(self) -> list[int]:
        return self._with_latest(self._steps, 0)

    @property
    def values(self) -> list:
        return self._with_latest(self._values, 1)

    def __len__(self) -> int:
        return len(self._steps) + (0 if self._latest is None or (
            self._steps and self._steps[-1] == self._latest[0]) else 1)

    def array(self) -> np.ndarray:
        return np.asarray(self.values)

    def last(self, default=None):
        return default if self._latest is None else self._latest[1]

    def last_step(self) -> int | None:
        return None if self._latest is None else self._latest[0]

    def clear(self) -> None:
        self.__init__(self.capacity)


@dataclass
class HistogramBins:
    """Fixed bin edges for one layer, chosen once so frames are comparable over time."""

    edges: np.ndarray

    @classmethod
    def symmetric(cls, values: np.ndarray, bins: int, factor: float = 2.0) -> HistogramBins:
        half = float(np.max(np.abs(values))) * factor if values.size else 1.0
        half = half if half > 1e-12 and math.isfinite(half) else 1.0
        return cls(np.linspace(-half, half, bins + 1))

    def counts(self, values: np.ndarray) -> np.ndarray:
        """Counts per bin; values beyond the edges land in the first or last bin."""
        lo, hi = self.edges[0], self.edges[-1]
        nb = self.edges.size - 1
        pos = (values - lo) * (nb / (hi - lo))
        # Non-finite weights (a diverging run) would make the cast undefined: pin them to a bin.
        np.nan_to_num(pos, copy=False, nan=0.0, posinf=nb - 1, neginf=0.0)
        idx = np.clip(pos, 0, nb - 1).astype(np.int64)
        return np.bincount(idx, minlength=nb)


@dataclass
class TrainerHistory:
    """Everything the live views draw, each series bounded."""

    batch_loss: Series
    train_loss: Series
    test_loss: Series
    train_accuracy: Series
    test_accuracy: Series
    grad_norm: dict[str, Series]
    weight_hist: dict[str, Series]
    grad_hist: dict[str, Series]
    weight_bins: dict[str, HistogramBins]
    grad_bins: dict[str, HistogramBins]
    snapshots: Series
    extra: dict[str, Series] = field(default_factory=dict)


class Trainer:
    """Train a compiled model step by step.

    ``step(n)`` takes n mini-batch steps; ``run(budget_seconds)`` steps until the time budget
    is spent (at least one step). Both return :meth:`metrics`. A non-finite loss stops the
    trainer in the ``diverged`` state with the last parameters whose loss was finite restored,
    and ``divergence_reason`` says what happened in words.

    Recording: batch loss every step; full train/test loss, accuracy and per-layer gradient
    norms every ``record_every`` steps (and at the end of each call); histograms every
    ``histogram_every`` steps; a copy of ``params`` every ``snapshot_every`` steps.
    """

    def __init__(self, model: Sequential, X, y, X_test=None, y_test=None,
                 batch_size: int | None = 10, shuffle: bool = True, seed: int = 0,
                 record_every: int = 10, histogram_every: int = 10, snapshot_every: int = 5,
                 histogram_bins: int = 30, capacity: int = 2000, snapshot_capacity: int = 400):
        if model.optimizer is None or model.loss is None:
            raise RuntimeError("compile the model before creating a Trainer")
        for label, v in (("record_every", record_every), ("histogram_every", histogram_every),
                         ("snapshot_every", snapshot_every), ("histogram_bins", histogram_bins)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{label} must be a positive integer, got {v!r}")
        self.model = model
        self.X = model._prepare_x(X)
        model._check_loss_fits_output()
        self.y = model._prepare_y(y, self.X.shape[0])
        if (X_test is None) != (y_test is None):
            raise ValueError("give both X_test and y_test, or neither")
        if X_test is not None:
            self.X_test = model._prepare_x(X_test)
            self.y_test = model._prepare_y(y_test, self.X_test.shape[0])
        else:
            self.X_test = self.y_test = None
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.record_every = int(record_every)
        self.histogram_every = int(histogram_every)
        self.snapshot_every = int(snapshot_every)
        self.histogram_bins = int(histogram_bins)
        self.capacity = int(capacity)
        self.snapshot_capacity = int(snapshot_capacity)
        self._callbacks: list[tuple[str, int, Callable]] = []
        self._feed = BatchFeed(self.X, self.y, augment=model._augment_input)
        self.set_batch_size(batch_size)
        self._layer_slices = self._slices_per_layer()
        self._last_hist_step = -1
        self.reset(reinitialize=False)

    # -- setup --------------------------------------------------------------------------
    def _slices_per_layer(self) -> dict[str, tuple[slice, list[slice]]]:
        """layer -> (its whole segment, the slices of its kernels (ndim > 1))."""
        out: dict[str, tuple[slice, list[slice]]] = {}
        for s in self.model.param_spec:
            seg, kernels = out.get(s.layer, (s.slice, []))
            seg = slice(min(seg.start, s.slice.start), max(seg.stop, s.slice.stop))
            if len(s.shape) > 1:
                kernels = [*kernels, s.slice]
            out[s.layer] = (seg, kernels)
        return out

    def set_batch_size(self, batch_size: int | None) -> None:
        """Change the mini-batch size (None: full batch); takes effect from the next step."""
        n = self.X.shape[0]
        bs = n if batch_size is None else batch_size
        if isinstance(bs, bool) or not isinstance(bs, (int, np.integer)) or bs < 1:
            raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
        self.batch_size = min(int(bs), n)

    def add_callback(self, name: str, every: int, fn: Callable[[Trainer], float]) -> None:
        """Call ``fn(trainer)`` every ``every`` steps; its return value is recorded in
        ``history.extra[name]`` (e.g. sharpness for the edge-of-stability plot)."""
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self._callbacks.append((name, int(every), fn))
        series = self.history.extra.setdefault(name, Series(self.capacity))
        if self.step_count % every == 0 and series.last_step() != self.step_count:
            series.add(self.step_count, fn(self))  # so the curve starts where training is

    def remove_callback(self, name: str) -> bool:
        """Stop calling the callback recorded as ``name`` (its series is kept); True if found."""
        before = len(self._callbacks)
        self._callbacks = [c for c in self._callbacks if c[0] != name]
        return len(self._callbacks) != before

    def reset(self, reinitialize: bool = True, seed: int | None = None) -> None:
        """Back to step 0: fresh history and optimizer state; new initial weights when asked."""
        if reinitialize:
            self.model.reinitialize(seed)
        self.model.optimizer.reset()
        self.step_count = 0
        self.epoch = 0
        self._pos = 0
        self._rng = np.random.default_rng([int(self.seed), 7])
        self._feed.shuffle(self._rng if self.shuffle else None)
        self.diverged = False
        self.divergence_reason: str | None = None
        self.last_loss = float("nan")
        self._backup = self.model.params.copy()
        self.initial_params = self.model.params.copy()
        self._steps_per_second = 0.0
        self._last_hist_step = -1
        cap = self.capacity
        names = list(self._layer_slices)
        weights = {name: self._layer_kernels(self.model.params, name) for name in names}
        self.history = TrainerHistory(
            batch_loss=Series(cap), train_loss=Series(cap), test_loss=Series(cap),
            train_accuracy=Series(cap), test_accuracy=Series(cap),
            grad_norm={n: Series(cap) for n in names},
            weight_hist={n: Series(cap) for n in names},
            grad_hist={n: Series(cap) for n in names},
            weight_bins={n: HistogramBins.symmetric(w, self.histogram_bins)
                         for n, w in weights.items()},
            grad_bins={},
            snapshots=Series(self.snapshot_capacity),
            extra={name: Series(cap) for name, _, _ in self._callbacks},
        )
        self._record(full=True)

    def _layer_kernels(self, flat: np.ndarray, layer: str) -> np.ndarray:
        seg, kernels = self._layer_slices[layer]
        parts = [flat[s] for s in kernels] or [flat[seg]]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    # -- stepping -----------------------------------------------------------------------
    def step(self, n: int = 1) -> dict:
        """Take up to n optimizer steps (fewer if training diverges); returns metrics."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        t0 = time.perf_counter()
        done = 0
        for _ in range(int(n)):
            if not self._one_step():
                break
            done += 1
        self._note_speed(done, time.perf_counter() - t0)
        self._record(full=True)
        return self.metrics()

    def step_epoch(self) -> dict:
        """Steps until the current epoch is complete."""
        n = self.X.shape[0]
        left = n - self._pos if self._pos < n else n  # at an epoch's end: the whole next one
        return self.step(-(-left // self.batch_size))

    def run(self, budget_seconds: float, max_steps: int | None = None) -> dict:
        """Step until ``budget_seconds`` of wall time are used (at least one step)."""
        if not (isinstance(budget_seconds, (int, float)) and budget_seconds >= 0):
            raise ValueError(f"budget_seconds must be a number >= 0, got {budget_seconds!r}")
        t0 = time.perf_counter()
        deadline = t0 + float(budget_seconds)
        done, chunk = 0, 1
        limit = math.inf if max_steps is None else int(max_steps)
        while done < limit and not self.diverged:
            todo = int(min(chunk, limit - done))
            for _ in range(todo):
                if not self._one_step():
                    break
                done += 1
            now = time.perf_counter()
            if now >= deadline:
                break
            # Check the clock less often once steps prove fast; never overshoot by much.
            per = (now - t0) / max(done, 1)
            chunk = max(1, min(256, int(0.25 * (deadline - now) / max(per, 1e-7))))
        self._note_speed(done, time.perf_counter() - t0)
        self._record(full=True)
        return self.metrics()

    def _note_speed(self, steps: int, seconds: float) -> None:
        if steps and seconds > 0:
            rate = steps / seconds
            a = 0.3 if self._steps_per_second else 1.0
            self._steps_per_second = (1 - a) * self._steps_per_second + a * rate

    def _one_step(self) -> bool:
        if self.diverged:
            return False
        n = self.X.shape[0]
        if self._pos >= n:
            self.epoch += 1
            self._pos = 0
            self._feed.shuffle(self._rng if self.shuffle else None)
        start, stop = self._pos, min(self._pos + self.batch_size, n)
        xb, yb, xab = self._feed.batch(start, stop)
        model = self.model
        loss = model._loss_and_grad(xb, yb, True, xab)
        if not math.isfinite(loss):
            np.copyto(model.params, self._backup)
            self.diverged = True
            self.divergence_reason = (
                f"the loss became {loss} at step {self.step_count}: the updates grew without "
                f"bound. The weights from the last finite step are kept; lower the learning "
                f"rate (now {getattr(model.optimizer, 'lr', '?')}) or press Reset.")
            return False
        np.copyto(self._backup, model.params)
        model.optimizer.step(model.params, model.grads)
        self._pos = stop
        self.step_count += 1
        self.last_loss = loss
        self.history.batch_loss.add(self.step_count, loss)
        self._record(full=False)
        return True

    # -- recording ----------------------------------------------------------------------
    def _record(self, full: bool) -> None:
        s = self.step_count
        h = self.history
        if full or s % self.record_every == 0:
            if h.train_loss.last_step() != s:
                self._record_metrics(s)
        if full or s % self.histogram_every == 0:
            if self._last_hist_step != s:
                self._record_histograms(s)
        if s % self.snapshot_every == 0 or full:
            snaps = h.snapshots
            if snaps.last_step() != s:
                snaps.add(s, self.model.params.copy())
        for name, every, fn in self._callbacks:
            if s % every == 0 and h.extra[name].last_step() != s:
                h.extra[name].add(s, fn(self))

    def _record_metrics(self, s: int) -> None:
        h = self.history
        model = self.model
        train = model._evaluate_prepared(self.X, self.y)
        h.train_loss.add(s, train["loss"])
        if "accuracy" in model.metrics:
            h.train_accuracy.add(s, train["accuracy"])
        if self.X_test is not None:
            test = model._evaluate_prepared(self.X_test, self.y_test)
            h.test_loss.add(s, test["loss"])
            if "accuracy" in model.metrics:
                h.test_accuracy.add(s, test["accuracy"])
        g = model.grads
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run: inf is the answer
            for name, (seg, _) in self._layer_slices.items():
                part = g[seg]
                h.grad_norm[name].add(s, float(np.sqrt(part @ part)))

    def _record_histograms(self, s: int) -> None:
        h = self.history
        self._last_hist_step = s
        for name in self._layer_slices:
            w = self._layer_kernels(self.model.params, name)
            h.weight_hist[name].add(s, h.weight_bins[name].counts(w))
            if s > 0:
                g = self._layer_kernels(self.model.grads, name)
                if name not in h.grad_bins:
                    h.grad_bins[name] = HistogramBins.symmetric(g, self.histogram_bins, 4.0)
                h.grad_hist[name].add(s, h.grad_bins[name].counts(g))

    # -- reading ------------------------------------------------------------------------
    @property
    def steps_per_second(self) -> float:
        return self._steps_per_second

    @property
    def state(self) -> str:
        return "diverged" if self.diverged else "ready"

    def metrics(self) -> dict:
        """The latest numbers for the text readout."""
        h = self.history
        return {
            "step": self.step_count, "epoch": self.epoch, "state": self.state,
            "batch_loss": self.last_loss, "train_loss": h.train_loss.last(),
            "test_loss": h.test_loss.last(), "train_accuracy": h.train_accuracy.last(),
            "test_accuracy": h.test_accuracy.last(), "steps_per_second": self._steps_per_second,
            "lr": getattr(self.model.optimizer, "current_lr",
                          getattr(self.model.optimizer, "lr", None)),
            "divergence_reason": self.divergence_reason,
        }

    def trajectory(self) -> np.ndarray:
        """Saved parameter snapshots, shape (T, n_params), oldest first."""
        return np.stack(self.history.snapshots.values)
