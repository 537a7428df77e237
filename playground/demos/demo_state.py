"""Synthetic, quickly changing data for the live-chart demo and its naive twin (benchmarks)."""

from __future__ import annotations

import numpy as np

GRID = 48
HISTORY = 2000


class DemoState:
    """A moving 2-D field, a noisy decaying 'loss' and a drifting 'weight' vector."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.step = 0
        self.weights = self.rng.normal(0.0, 1.0, 2000)
        self.losses: list[float] = []
        axis = np.linspace(-3.0, 3.0, GRID)
        self.gx, self.gy = np.meshgrid(axis, axis)

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            self.step += 1
            self.weights += self.rng.normal(0.0, 0.05, self.weights.size) - 0.01 * self.weights
            loss = 2.0 * np.exp(-self.step / 150) + 0.05 * abs(self.rng.normal())
            self.losses.append(float(loss))
        del self.losses[:-HISTORY]

    def heatmap(self) -> dict:
        t = self.step * 0.15
        z = np.sin(self.gx * 1.3 + t) * np.cos(self.gy * 1.1 - 0.7 * t)
        cx, cy = 2 * np.cos(t / 3), 2 * np.sin(t / 3)
        z += 0.6 * np.exp(-((self.gx - cx) ** 2 + (self.gy - cy) ** 2))
        return {
            "data": [{"type": "heatmap", "z": z, "colorscale": "RdBu", "zmin": -1.6, "zmax": 1.6}],
            "layout": {"title": {"text": "Field"}},
        }

    def loss_line(self) -> dict:
        steps = np.arange(self.step - len(self.losses) + 1, self.step + 1)
        line = {"type": "scatter", "mode": "lines", "x": steps, "y": np.asarray(self.losses)}
        return {
            "data": [line],
            "layout": {"title": {"text": "Loss"}, "xaxis": {"title": {"text": "step"}}},
        }

    def histogram(self) -> dict:
        counts, edges = np.histogram(self.weights, bins=40, range=(-4.0, 4.0))
        return {
            "data": [
                {
                    "type": "bar",
                    "x": 0.5 * (edges[:-1] + edges[1:]),
                    "y": counts,
                    "width": float(edges[1] - edges[0]),
                }
            ],
            "layout": {"title": {"text": "Weights"}, "bargap": 0.0},
        }
