"""Layer stacks: URL text round trip, shapes against the engine's, and the mismatch messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from playground import stack as S
from playground.i18n import Translator


def _spec(kind: str) -> st.SearchStrategy:
    """Random valid settings for one kind."""
    fields = {}
    for name, _ in S.KINDS[kind]:
        allowed = S.RANGES[name]
        if isinstance(allowed[0], str):
            fields[name] = st.sampled_from(allowed)
        elif isinstance(allowed[0], float):
            fields[name] = st.sampled_from([0.0, 0.1, 0.5, 0.9])
        else:
            fields[name] = st.integers(allowed[0], min(allowed[1], 8))
    return st.fixed_dictionaries(fields).map(lambda kw: S.make(kind, **kw))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(S.DOMAINS["image"]).flatmap(_spec), max_size=5))
def test_image_stacks_round_trip_and_agree_with_the_engine(specs):
    assert S.from_text(S.to_text(specs), "image") == tuple(specs)
    try:
        ours = S.shapes(specs, (9, 7, 2), "image")
    except S.StackError:
        refused = True
    else:
        refused = False
    if refused:  # our rules refused it: the engine must refuse it too
        with pytest.raises(ValueError):
            eg.Sequential(S.build_layers(specs), input_shape=(9, 7, 2))
        return
    if not specs:
        return
    model = eg.Sequential(S.build_layers(specs), input_shape=(9, 7, 2))
    assert [tuple(layer.output_shape) for layer in model.layers] == ours


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([k for k in S.DOMAINS["sequence"] if k != "embedding"])
                .flatmap(_spec), max_size=4))
def test_sequence_stacks_agree_with_the_engine(specs):
    try:
        ours = S.shapes(specs, (6, 3), "sequence")
    except S.StackError:
        with pytest.raises(ValueError):
            eg.Sequential(S.build_layers(specs), input_shape=(6, 3))
        return
    if specs:
        model = eg.Sequential(S.build_layers(specs), input_shape=(6, 3))
        assert [tuple(layer.output_shape) for layer in model.layers] == ours


def test_token_ids_need_an_embedding_first():
    specs = S.from_text("embedding:4,lstm:5:1,attention:3:1,flatten,dense:2:relu", "sequence")
    shapes = S.shapes(specs, (7,), "sequence", integer_ids=True)
    assert shapes == [(7, 4), (7, 5), (7, 3), (21,), (2,)]
    model = eg.Sequential(S.build_layers(specs, vocab=11), input_shape=(7,))
    out = model.predict(np.random.default_rng(0).integers(0, 11, (3, 7)).astype(float))
    assert out.shape == (3, 2)
    with pytest.raises(S.StackError) as info:
        S.shapes(S.from_text("lstm:5:0", "sequence"), (7,), "sequence", integer_ids=True)
    assert info.value.key == "stack.ids_need_embedding"
    with pytest.raises(S.StackError) as info:
        S.shapes(S.from_text("lstm:5:1,embedding:3", "sequence"), (7, 1), "sequence")
    assert info.value.key == "stack.embedding_first"


@pytest.mark.parametrize("text, shape, key, words", [
    ("flatten,conv2d", (8, 8, 1), "stack.mismatch",
     ["Layer 2 (Conv2D)", "image (height, width, channels)", "layer 1 (Flatten)", "(64,)"]),
    ("dense", (8, 8, 1), "stack.mismatch_data",
     ["Layer 1 (Dense)", "vector (features,)", "(8, 8, 1)", "Flatten"]),
    ("maxpool2d:4,maxpool2d:4", (8, 8, 1), "stack.too_small", ["MaxPool2D", "4", "(2, 2, 1)"]),
    ("conv2d:8:5:1:valid:relu,conv2d:8:5:1:valid:relu", (8, 8, 1), "stack.too_small",
     ["Conv2D", "5", "(4, 4, 8)"]),
])
def test_mismatches_name_both_shapes(text, shape, key, words):
    with pytest.raises(S.StackError) as info:
        S.shapes(S.from_text(text, "image"), shape, "image")
    assert info.value.key == key
    en = S.message(info.value, Translator("en"))
    for word in words:
        assert word in en
    zh = S.message(info.value, Translator("zh"))
    assert zh != en
    assert all(word in zh for word in words if word.startswith("("))  # the shapes, verbatim


def test_recurrent_after_a_vector_suggests_return_sequences():
    with pytest.raises(S.StackError) as info:
        S.shapes(S.from_text("lstm:8:0,lstm:8:0", "sequence"), (5, 1), "sequence")
    text = S.message(info.value, Translator("en"))
    assert "(8,)" in text and "return sequences" in text


@pytest.mark.parametrize("text, domain, key", [
    ("conv9", "image", "stack.unknown_kind"),
    ("lstm:4", "image", "stack.wrong_domain"),
    ("conv2d:0", "image", "stack.bad_number"),
    ("conv2d:8:3:1:diagonal", "image", "stack.bad_choice"),
    ("dense:3:relu:7", "image", "stack.too_many_values"),
    ("dropout:abc", "image", "stack.bad_number"),
    (",".join(["flatten"] * 11), "image", "stack.too_many"),
])
def test_bad_text_is_refused_with_a_message(text, domain, key):
    with pytest.raises(S.StackError) as info:
        S.from_text(text, domain)
    assert info.value.key == key
    for lang in ("en", "zh"):
        assert "{" not in S.message(info.value, Translator(lang))


def test_make_fills_defaults_and_refuses_unknown_settings():
    spec = S.make("conv2d", filters=4)
    assert spec["filters"] == 4 and spec["kernel"] == 3 and spec.text() == "conv2d:4:3:1:same:relu"
    with pytest.raises(S.StackError) as info:
        S.make("dense", width=3)
    assert info.value.key == "stack.unknown_setting"
