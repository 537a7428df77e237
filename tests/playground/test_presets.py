"""Lecture presets: complete in both languages, reproducible by link, and true to their words.

Each claim a preset's text makes is checked by training it with the engine the way the app
builds it (``playground.builder``), for the preset's own ``steps``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from playground import presets
from playground.builder import build_trainer
from playground.config import Experiment, LayerSpec
from playground.i18n import LANGUAGES
from playground.presets import PRESETS, TOPICS, Preset
from playground.state import from_query, to_query

ROOT = Path(__file__).resolve().parents[2]
LN2 = math.log(2.0)  # the loss of a coin flip
REQUIRED = ("lr_too_large", "lr_too_small", "sigmoid_vanishing", "momentum_spiral", "overfit",
            "overfit_l2", "xor_linear", "adam_vs_sgd", "features_circle", "regression_plane",
            "regression_bumps", "dropout")
CJK = re.compile(r"[\u4e00-\u9fff]")


def train(exp: Experiment, steps: int):
    """Build as the app does, train ``steps`` steps; -> (trainer, metrics at 0, metrics now)."""
    trainer, _ = build_trainer(exp)
    start = trainer.metrics()
    return trainer, start, trainer.step(steps)


def run(key: str, **changes):
    p = presets.get(key)
    return train(p.experiment.replace(**changes), p.steps)


def _catalog(lang: str) -> dict[str, str]:
    path = ROOT / "playground" / "locales" / lang / "presets.json"
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the collection


def test_there_are_at_least_ten_presets_including_the_required_ones():
    assert len(PRESETS) >= 10
    assert set(REQUIRED) <= set(PRESETS)
    assert presets.keys() == tuple(PRESETS)
    assert presets.get("dropout") is PRESETS["dropout"]
    with pytest.raises(KeyError, match="unknown preset"):
        presets.get("nope")


@pytest.mark.parametrize("key", list(PRESETS))
def test_a_preset_is_a_valid_experiment_that_a_link_reproduces(key):
    p = PRESETS[key]
    assert isinstance(p, Preset) and p.key == key and p.topic in TOPICS and p.steps > 0
    assert p.compare is None or p.compare in PRESETS
    assert p.experiment.problems() == []
    assert from_query(to_query(p.experiment)) == (p.experiment, [])
    assert p.experiment != Experiment()  # a preset changes something


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", list(PRESETS))
def test_a_preset_has_its_words_in_every_language(key, lang):
    p = PRESETS[key]
    title, text, tip = p.title(lang), p.text(lang), p.try_this(lang)
    for s in (title, text, tip, p.topic_label(lang)):
        assert s and not s.startswith("preset.")
    if lang == "zh":
        assert CJK.search(text) and CJK.search(title) and CJK.search(tip)
        assert text != p.text("en")
        sentences = text.count("。")
    else:
        sentences = len(re.findall(r"[.!?](?:\s|$)", text))
    assert 2 <= sentences <= 3, (key, lang, sentences)


def test_both_catalogs_have_the_same_keys_and_no_orphans():
    en, zh = _catalog("en"), _catalog("zh")
    assert set(en) == set(zh)
    expected = {f"preset.topic.{topic}" for topic in TOPICS}
    expected |= {f"preset.{k}.{part}" for k in PRESETS for part in ("title", "text")}
    optional = {f"preset.{k}.try" for k in PRESETS}
    assert expected <= set(en) <= expected | optional
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key]))
        assert CJK.search(zh[key]), key
    assert len({en[f"preset.{k}.title"] for k in PRESETS}) == len(PRESETS)
    assert len({zh[f"preset.{k}.title"] for k in PRESETS}) == len(PRESETS)


def test_companions_point_at_each_other_and_differ_in_few_settings():
    for p in PRESETS.values():
        if p.compare and PRESETS[p.compare].compare:
            assert PRESETS[p.compare].compare == p.key
        if p.compare:
            a, b = to_query(p.experiment), to_query(PRESETS[p.compare].experiment)
            assert len(set(a.items()) ^ set(b.items())) <= 4


# --------------------------------------------------------------------------- the claims


def test_lr_too_large_makes_the_loss_end_higher_than_it_started():
    trainer, start, end = run("lr_too_large")
    assert end["state"] == "diverged" or end["train_loss"] > start["train_loss"]
    losses = trainer.history.batch_loss.array()[-100:]
    assert losses.std() > 0.5  # it bounces rather than settles
    _, start, end = run("lr_too_large", lr=0.3)  # the "try" works: it settles
    assert end["train_loss"] < 0.1 and end["train_accuracy"] > 0.95


def test_lr_too_small_barely_moves_the_loss():
    _, start, end = run("lr_too_small")
    assert abs(end["train_loss"] - start["train_loss"]) < 0.03 * start["train_loss"]
    assert end["train_accuracy"] < 0.7
    _, _, end = run("lr_too_small", lr=0.3)
    assert end["train_accuracy"] > 0.95


def test_deep_sigmoid_gradients_vanish_and_relu_fixes_it():
    trainer, _, end = run("sigmoid_vanishing")
    norms = [s.last() for s in trainer.history.grad_norm.values()]  # first layer .. output
    assert len(norms) == 7
    assert norms[0] < 1e-3 * norms[-1]  # "thousands of times smaller"
    assert all(a < b for a, b in zip(norms[:-1], norms[1:]))  # shrinking towards the input
    assert abs(end["train_loss"] - LN2) < 0.01  # stuck at guessing
    trainer, _, end = run("relu_deep")
    norms = [s.last() for s in trainer.history.grad_norm.values()]
    assert norms[0] > 0.1 * norms[-1]
    assert end["test_accuracy"] > 0.95


def test_momentum_gets_far_ahead_of_plain_sgd_on_the_spiral():
    _, _, momentum = run("momentum_spiral")
    _, _, sgd = run("momentum_spiral", optimizer="sgd")
    assert momentum["train_loss"] < 0.5 * sgd["train_loss"]
    assert momentum["test_accuracy"] > 0.9


def test_adam_beats_sgd_at_the_same_learning_rate():
    _, _, adam = run("adam_vs_sgd")
    _, _, sgd = run("adam_vs_sgd", optimizer="sgd")
    assert adam["test_accuracy"] >= 0.98
    assert adam["train_loss"] < 0.1 * sgd["train_loss"]


def test_xor_needs_a_hidden_layer_or_the_product_feature():
    _, _, linear = run("xor_linear")
    assert linear["train_accuracy"] < 0.8 and linear["test_accuracy"] < 0.8
    _, _, hidden = run("xor_hidden")
    assert hidden["test_accuracy"] > 0.9
    _, _, product = run("xor_linear", features=("x1", "x2", "x1x2"))
    assert product["test_accuracy"] > 0.95


def test_overfitting_and_l2():
    _, _, plain = run("overfit")
    assert plain["train_loss"] < 0.01 and plain["train_accuracy"] == 1.0
    assert plain["test_loss"] > max(1.0, 10 * plain["train_loss"])
    _, _, l2 = run("overfit_l2")
    assert l2["train_loss"] > 0.05  # no longer memorised
    assert l2["test_loss"] < plain["test_loss"] / 3  # "several times lower"


def test_dropout_keeps_the_test_loss_low():
    _, _, dropped = run("dropout")
    no_dropout = tuple(LayerSpec(s.units, s.activation) for s in
                       presets.get("dropout").experiment.layers)
    _, _, plain = run("dropout", layers=no_dropout)
    assert dropped["test_loss"] < 0.5 * plain["test_loss"]
    assert dropped["test_accuracy"] >= plain["test_accuracy"]


def test_squared_features_solve_the_circle_without_hidden_layers():
    _, _, end = run("features_circle")
    assert end["test_accuracy"] > 0.95 and end["train_accuracy"] > 0.95
    _, _, raw = run("features_circle", features=("x1", "x2"))
    assert raw["test_accuracy"] < 0.7


def test_regression_presets():
    _, start, plane = run("regression_plane")
    assert plane["train_loss"] < 1e-4 < start["train_loss"] and plane["test_loss"] < 1e-4
    trainer, _ = build_trainer(presets.get("regression_plane").experiment.replace(lr=0.3))
    with np.errstate(all="ignore"):  # weights on their way to infinity
        assert trainer.step(1000)["state"] == "diverged"
    _, _, bumps = run("regression_bumps")
    _, _, flat = run("regression_bumps", layers=())
    assert bumps["test_loss"] < 0.05 and bumps["test_loss"] < 0.5 * flat["test_loss"]
