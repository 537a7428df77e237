"""Hostile links for the URL/query-string reader (``playground.state.from_query``).

A link is untrusted text. Whatever it holds (raw query strings as a browser sends them,
odd types, huge values, thousands of keys, markup, both languages): ``from_query`` never
raises, returns within a time bound, causes no side effect, and gives an experiment inside
every cap (``MAX_SAMPLES``, ``MAX_LAYERS``, ``MAX_UNITS``, so within ``MAX_PARAMS``) that
the app can build, or that ``build_trainer`` refuses with an ``ExperimentError``. A value
it cannot use leaves that setting at its default and adds a note naming the key.
"""

from __future__ import annotations

import urllib.parse

from fuzz_guards import time_bound, watch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import builder, state
from playground.config import MAX_LAYERS, MAX_SAMPLES, MAX_UNITS, Experiment
from playground.i18n import LANGUAGES

BOUND = 5.0  # seconds: a hang guard; a link is read in well under a millisecond
FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
DEFAULT = Experiment()
MAX_NOTE = 600  # characters: notes quote user text cut short, never a whole value

KEYS = sorted(set(state.FIELD_KEYS.values()) | set(state.HYPER_KEYS) | state.RESERVED_KEYS)
NASTY = ["<script>alert(1)</script>", "javascript:alert(1)", "[x](http://evil)", "%00",
         "\x00", "\u202e", "../../etc/passwd", "1e999", "-1e999", "nan", "inf", "0x10",
         "9" * 60, "-0", "1_000", "١٢٣", "８", "__import__('os')", "{{7*7}}", "${7*7}",
         "full", "none", ",,,", ":::", "8:tanh:0.2:9", "64:relu," * 20]
values = st.one_of(st.text(max_size=40), st.sampled_from(NASTY),
                   st.from_regex(r"[0-9a-z_:,.+^-]{0,30}", fullmatch=True))
raw_query = st.lists(st.tuples(st.sampled_from(KEYS) | st.text(max_size=10), values),
                     max_size=15).map(
    lambda pairs: "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v)}"
                           for k, v in pairs))
odd_value = st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=10),
                      st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=4),
                      st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def read(params, lang: str = "en") -> tuple[Experiment, list[str]]:
    """from_query under the guards, plus the invariants every reading must keep."""
    with watch(), time_bound(BOUND, "from_query"):
        exp, notes = state.from_query(params, lang)
    assert isinstance(exp, Experiment)
    assert isinstance(notes, list) and all(isinstance(n, str) and n.strip() for n in notes)
    assert all(len(n) <= MAX_NOTE for n in notes), max(notes, key=len)
    assert 10 <= exp.n_samples <= MAX_SAMPLES
    assert 1 <= exp.batch_size <= MAX_SAMPLES or exp.batch_size == 0
    assert len(exp.layers) <= MAX_LAYERS
    assert all(1 <= spec.units <= MAX_UNITS for spec in exp.layers)
    return exp, notes


@FUZZ
@given(raw_query, st.sampled_from(LANGUAGES))
def test_raw_query_strings_never_raise(raw, lang):
    read(urllib.parse.parse_qs(raw, keep_blank_values=True), lang)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), odd_value, max_size=8))
def test_values_of_any_type_never_raise(params):
    read(params)


@FUZZ
@given(st.sampled_from(sorted(state.FIELD_KEYS.values())),
       st.text(alphabet="qwjkzQWJKZ!?#", min_size=1, max_size=20))
def test_an_unreadable_value_keeps_the_default_and_is_named_in_a_note(key, junk):
    exp, notes = read({key: junk})
    field = next(f for f, k in state.FIELD_KEYS.items() if k == key)
    assert getattr(exp, field) == getattr(DEFAULT, field)
    assert any(key in note for note in notes), notes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_query)
def test_whatever_a_link_asks_for_can_be_built_or_is_refused_by_name(raw):
    exp, _ = read(urllib.parse.parse_qs(raw))
    try:
        trainer, _ = builder.build_trainer(exp)
    except builder.ExperimentError as err:
        assert err.key.startswith("problem.")
        return
    assert trainer.model.n_params <= builder.MAX_PARAMS


def test_pathological_links_are_bounded():
    huge_value = {"lr": "1" * 1_000_000, "layers": "64:relu," * 100_000}
    many_keys = {f"k{i}": "1" for i in range(100_000)}
    repeated = {"lr": ["0.1", "0.2"] * 50_000}
    for params in (huge_value, many_keys, repeated):
        exp, notes = read(params)
        assert notes, "an unusable link must say why"
    assert read(huge_value)[0].lr == DEFAULT.lr
    assert any("too many" in n for n in read(many_keys)[1])


def test_a_mapping_that_breaks_while_read_falls_back_to_the_defaults():
    class Exploding(dict):
        def __iter__(self):
            raise RuntimeError("boom")

    exp, notes = read(Exploding(lr="0.1"))
    assert exp == DEFAULT and notes == [state.t("state.unreadable", "en")]
