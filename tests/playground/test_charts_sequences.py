"""Chart builders of the Sequences page: traces, shapes and translated titles (no streamlit)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from playground import charts_sequences as CS
from playground.components.live_chart import build_component_data
from playground.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
VOCAB = " abcdefghijklmnopqrstuvwxyz,.!"


def catalog(lang: str) -> dict[str, str]:
    return json.loads((ROOT / "playground" / "locales" / lang / "sequences.json")
                      .read_text(encoding="utf-8"))


def title(fig) -> str:
    return fig["layout"]["title"]["text"]


def axis_title(fig, axis: str) -> str:
    return fig["layout"][axis]["title"]["text"]


def sendable(fig) -> None:
    """The live chart component can serialise it (JSON, typed arrays)."""
    data = build_component_data({"c": fig}, key="t", src="")
    json.dumps(data, allow_nan=False)


@pytest.mark.parametrize("module", ["charts_sequences.py", "sequences_build.py",
                                    "sequences_config.py"])
def test_never_imports_streamlit(module):
    tree = ast.parse((ROOT / "playground" / module).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert "streamlit" not in names


# -- the example ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sine_example_shows_input_truth_and_prediction(lang):
    cat, tr = catalog(lang), Translator(lang)
    x = np.sin(np.arange(20) * 0.3)
    fig = CS.sequence_figure(x, 0.5, np.array([0.4]), dataset="sine", index=3, tr=tr)
    line, link, true, pred = fig["data"]
    assert line["x"].tolist() == list(range(1, 21)) and line["y"].shape == (20,)
    assert true["x"] == [21] and true["y"] == [0.5] and pred["y"] == [pytest.approx(0.4)]
    assert link["x"] == [20, 21]
    assert title(fig) == cat["seq.chart.input.title"].format(i=3)
    assert axis_title(fig, "xaxis") == cat["seq.chart.time"]
    assert {true["name"], pred["name"]} == {cat["seq.chart.true_next"],
                                            cat["seq.chart.predicted_next"]}
    sendable(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bit_example_is_bars_and_counts_the_ones(lang):
    cat, tr = catalog(lang), Translator(lang)
    bits = np.array([1, 0, 1, 1, 0, 0], float)
    fig = CS.sequence_figure(bits, 1.0, np.array([0.8]), dataset="parity", index=0, tr=tr)
    (bars,) = fig["data"]
    assert bars["type"] == "bar" and bars["y"].tolist() == bits.tolist()
    assert cat["seq.chart.input.ones"].format(n=3) in title(fig)
    assert axis_title(fig, "yaxis") == cat["seq.chart.bit"]
    sendable(fig)


def test_text_example_shows_the_characters_and_both_answers():
    tr = Translator("en")
    ids = np.array([1, 2, 0, 3])  # "ab c"
    out = np.full(len(VOCAB), 0.01)
    out[5] = 0.9
    fig = CS.sequence_figure(ids, 4, out, dataset="next_char", index=1, tr=tr, vocab=VOCAB)
    text, true, pred = fig["data"]
    assert text["text"] == ["a", "b", "␣", "c"]
    assert true["text"] == ["d"] and pred["text"] == ["e"]
    assert true["x"] == [5] and pred["x"] == [5]
    sendable(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_regression_output_compares_predictions_with_truth(lang):
    cat, tr = catalog(lang), Translator(lang)
    preds, targets = np.linspace(-1, 1, 50), np.linspace(-0.9, 0.9, 50)
    fig = CS.output_figure(np.array([0.2]), 0.3, dataset="sine", tr=tr, predictions=preds,
                           targets=targets, index=2)
    diagonal, points, this = fig["data"]
    assert diagonal["x"] == diagonal["y"]
    assert points["x"].shape == (50,) and points["y"].shape == (50,)
    assert this["x"] == [0.3] and this["y"] == [0.2]
    assert title(fig) == cat["seq.chart.scatter.title"]
    assert axis_title(fig, "xaxis") == cat["seq.chart.true_next"]
    sendable(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_parity_output_has_two_named_classes_and_the_verdict(lang):
    cat, tr = catalog(lang), Translator(lang)
    fig = CS.output_figure(np.array([0.75]), 1.0, dataset="parity", tr=tr)
    (bars,) = fig["data"]
    assert bars["x"] == [cat["seq.class.even"], cat["seq.class.odd"]]
    assert bars["y"].tolist() == pytest.approx([0.25, 0.75])
    assert bars["marker"]["color"][1] == CS.TRUE_COLOR
    assert cat["seq.chart.classes.title"] in title(fig)
    assert cat["seq.chart.right"].format(pred=cat["seq.class.odd"]) in title(fig)
    wrong = CS.output_figure(np.array([0.75]), 0.0, dataset="parity", tr=tr)
    assert wrong["data"][0]["marker"]["color"] == [CS.TRUE_COLOR, CS.PRED_COLOR]


def test_count_output_has_one_bar_per_count():
    probs = np.full(11, 1 / 11)
    fig = CS.output_figure(probs, 4, dataset="count_ones", tr=Translator("en"))
    assert fig["data"][0]["x"] == [str(k) for k in range(11)]
    assert fig["layout"]["yaxis"]["range"] == [0, 1.05]


def test_next_char_output_shows_the_top_k_and_always_the_true_character():
    probs = np.linspace(1.0, 0.1, len(VOCAB))
    probs /= probs.sum()
    fig = CS.output_figure(probs, len(VOCAB) - 1, dataset="next_char", tr=Translator("en"),
                           vocab=VOCAB, top_k=5)
    bars = fig["data"][0]
    assert bars["x"] == ["␣", "a", "b", "c", "d", "!"]  # top 5, then the (unlikely) true one
    assert bars["marker"]["color"][-1] == CS.TRUE_COLOR
    assert bars["marker"]["color"][0] == CS.PRED_COLOR


# -- inside the network ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gates_are_four_heat_maps_of_units_by_time(lang):
    cat, tr = catalog(lang), Translator(lang)
    rng = np.random.default_rng(0)
    gates = {g: rng.random((16, 9)) for g in CS.GATES}
    gates["cell"] = gates["cell"] * 4 - 2
    fig = CS.gates_figure(gates, tr=tr, labels=list("abcdefghi"))
    assert [t["type"] for t in fig["data"]] == ["heatmap"] * 4
    assert [t["yaxis"] for t in fig["data"]] == ["y", "y2", "y3", "y4"]
    for t in fig["data"]:
        assert t["z"].shape == (16, 9) and t["z"].dtype == np.float32
        assert t["x"].tolist() == list(range(1, 10))
    assert (fig["data"][0]["zmin"], fig["data"][0]["zmax"]) == (0.0, 1.0)
    cell = fig["data"][3]
    assert cell["zmin"] == -cell["zmax"] and cell["zmax"] == pytest.approx(
        np.abs(gates["cell"]).max(), rel=1e-6)
    assert title(fig) == cat["seq.chart.gates.title"].format(units=16)
    assert [fig["layout"][a]["title"]["text"] for a in ("yaxis", "yaxis2", "yaxis3", "yaxis4")] \
        == [cat[f"seq.chart.gate.{g}"] for g in CS.GATES]
    assert fig["layout"]["xaxis"]["ticktext"] == list("abcdefghi")
    assert axis_title(fig, "xaxis") == cat["seq.chart.time"]
    sendable(fig)


def test_gates_of_mismatched_shapes_are_refused():
    gates = {g: np.zeros((4, 5)) for g in CS.GATES}
    gates["cell"] = np.zeros((4, 6))
    with pytest.raises(ValueError, match="cell"):
        CS.gates_figure(gates, tr=Translator("en"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_attention_is_one_time_by_time_heat_map(lang):
    cat, tr = catalog(lang), Translator(lang)
    A = np.tril(np.ones((6, 6)))
    A /= A.sum(axis=1, keepdims=True)
    fig = CS.attention_figure(A, tr=tr, causal=True, labels=list("hello!"))
    (heat,) = fig["data"]
    assert heat["type"] == "heatmap" and heat["z"].shape == (6, 6)
    assert heat["zmin"] == 0.0 and heat["zmax"] == pytest.approx(1.0)
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"  # query 1 on top
    assert title(fig) == cat["seq.chart.attention.title_causal"]
    assert axis_title(fig, "xaxis") == cat["seq.chart.key"]
    assert axis_title(fig, "yaxis") == cat["seq.chart.query"]
    assert fig["layout"]["xaxis"]["ticktext"] == list("hello!")
    assert title(CS.attention_figure(A, tr=tr)) == cat["seq.chart.attention.title"]
    with pytest.raises(ValueError):
        CS.attention_figure(np.zeros((3, 4)), tr=tr)
    sendable(fig)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gradient_over_time_is_bars_on_a_log_axis(lang):
    cat, tr = catalog(lang), Translator(lang)
    norms = np.geomspace(1e-6, 1e-2, 12)
    fig = CS.input_gradient_figure(norms, tr=tr)
    (bars,) = fig["data"]
    assert bars["type"] == "bar" and bars["x"].tolist() == list(range(1, 13))
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert len(fig["layout"]["yaxis"]["tickvals"]) == 5
    assert title(fig) == cat["seq.chart.grad.title"]
    assert axis_title(fig, "yaxis") == cat["seq.chart.grad.axis"]
    assert "annotations" not in fig["layout"]
    empty = CS.input_gradient_figure(np.zeros(5), tr=tr)
    assert empty["layout"]["annotations"]  # "no data yet"
    sendable(fig)


def test_legend_below_moves_the_legend_under_the_plot():
    fig = CS.sequence_figure(np.zeros(5), 0.0, np.array([0.0]), dataset="sine", index=0,
                             tr=Translator("en"))
    assert fig["layout"]["legend"]["y"] < 0 and fig["layout"]["margin"]["b"] >= 76
    assert CS.char_label(" ") == "␣" and CS.char_label("a") == "a"
