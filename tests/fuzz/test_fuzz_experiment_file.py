"""Hostile experiment files for the loader (``engine.io.from_bytes``, and the app's upload path).

Starting from a valid file the app itself wrote, the tests flip bits, truncate, append
junk, overwrite bytes, swap zip entries for pickled object arrays, huge declared shapes,
odd dtypes, stray or badly named entries, and replace the JSON settings with generated
JSON. The loader either loads the file or raises ``ExperimentFileError`` (a
``ValueError``) with a message; never anything else, never past a time bound, never
unpickling, opening a file or starting a process, and never allocating what a header or
a config merely claims.
"""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest
from fuzz_guards import time_bound, watch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine as eg
from engine.io import ExperimentFileError
from playground import builder, state
from playground.config import Experiment

BOUND = 10.0  # seconds: a hang guard; a small file loads in milliseconds
FUZZ = settings(max_examples=100, deadline=3000, suppress_health_check=[HealthCheck.too_slow])


def _app_file() -> bytes:
    """A file as the Network page writes it (its experiment's link in ``extra``)."""
    exp = Experiment().replace(dataset="circle", layers=Experiment().layers[:1])
    trainer, _ = builder.build_trainer(exp)
    trainer.step(3)
    return eg.io.to_bytes(trainer.model, extra={"query": state.to_query(exp), "step": 3})


VALID = _app_file()
with zipfile.ZipFile(io.BytesIO(VALID)) as _z:
    ENTRIES = {n: _z.read(n) for n in _z.namelist()}
CONFIG = json.loads(np.load(io.BytesIO(ENTRIES["__config__.npy"])).tobytes())


def zip_of(entries: dict[str, bytes], compress: bool = True) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def npy(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_claiming(shape: tuple, descr: str = "<f8", payload: bytes = b"\0" * 64) -> bytes:
    """A .npy whose header declares ``shape`` but which holds only ``payload``."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + payload


def with_config(cfg) -> bytes:
    text = cfg if isinstance(cfg, str) else json.dumps(cfg)
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return zip_of({**ENTRIES, "__config__.npy": npy(raw)})


class Evil:
    """Unpickling this runs a shell command: the loader must never get that far."""

    def __reduce__(self):
        return os.system, ("echo unpickled > /dev/null",)


def load_like_the_app(blob: bytes) -> None:
    """What the Network page's upload does, under the guards; only the documented errors
    may come out (the page shows their message)."""
    with watch(), time_bound(BOUND, "loading an experiment file"):
        try:
            builder.load_experiment(blob)
        except (ExperimentFileError, builder.ExperimentError) as err:
            assert isinstance(err, ValueError) and str(err).strip()


def test_the_valid_file_loads():
    load_like_the_app(VALID)
    assert eg.io.from_bytes(VALID).model.n_params > 0


# --------------------------------------------------------------------------- byte level

@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 7)),
                min_size=1, max_size=8))
def test_bit_flips(flips):
    data = bytearray(VALID)
    for pos, bit in flips:
        data[pos] ^= 1 << bit
    load_like_the_app(bytes(data))


@FUZZ
@given(st.integers(0, len(VALID)), st.binary(max_size=300))
def test_truncation_and_appended_junk(cut, junk):
    load_like_the_app(VALID[:cut])
    load_like_the_app(VALID + junk)
    load_like_the_app(VALID[:cut] + junk)


@FUZZ
@given(st.integers(0, len(VALID) - 1), st.binary(min_size=1, max_size=64))
def test_overwritten_bytes(pos, patch):
    load_like_the_app(VALID[:pos] + patch + VALID[pos + len(patch):])


# --------------------------------------------------------------------------- entry level

EVIL_ENTRIES = {
    "pickled object array": npy(np.array([Evil()], dtype=object), allow_pickle=True),
    "pickled dict": npy(np.array({"a": Evil()}, dtype=object), allow_pickle=True),
    "huge declared shape": npy_claiming((2**40,)),
    "huge 2-D shape": npy_claiming((2**20, 2**20)),
    "shape over int64": npy_claiming((2**62, 2**62)),
    "complex numbers": npy(np.zeros(3, complex)),
    "strings": npy(np.array(["a", "b"])),
    "structured": npy(np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")])),
    "0-d": npy(np.float64(1.0)),
    "2-D": npy(np.zeros((2, 3))),
    "empty": npy(np.zeros(0)),
    "nan": npy(np.full(49, np.nan)),
    "int": npy(np.zeros(49, np.int64)),
    "not a .npy": b"hello",
    "bad magic": b"\x93NUMPX\x01\x00" + b"\0" * 100,
    "npy version 9": b"\x93NUMPY\x09\x00" + b"\0" * 100,
    "huge header": b"\x93NUMPY\x02\x00" + (10**8).to_bytes(4, "little") + b"{",
    # found by benchmarks/fuzz_atheris.py: NumPy's header parser raises tokenize.TokenError
    "header NumPy cannot tokenize": b"\x93NUMPY\x01\x00" + (118).to_bytes(2, "little")
    + b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,\x00".ljust(117) + b"\n",
}


@pytest.mark.parametrize("entry", sorted(set(ENTRIES) - {"__config__.npy"}) + ["__config__.npy"])
@pytest.mark.parametrize("kind", sorted(EVIL_ENTRIES))
def test_replaced_entries_are_refused_without_unpickling(entry, kind):
    load_like_the_app(zip_of({**ENTRIES, entry: EVIL_ENTRIES[kind]}))
    load_like_the_app(zip_of({**ENTRIES, entry: EVIL_ENTRIES[kind]}, compress=False))


@pytest.mark.parametrize("entries", [
    {**ENTRIES, "params": ENTRIES["params.npy"]},  # an entry np.load would return as bytes
    {**ENTRIES, "../../../../tmp/escape.npy": ENTRIES["params.npy"]},
    {**ENTRIES, "/etc/passwd.npy": ENTRIES["params.npy"]},
    {k: v for k, v in ENTRIES.items() if k != "params.npy"},
    {k: v for k, v in ENTRIES.items() if k != "__config__.npy"},
    {**ENTRIES, **{f"optimizer/x{i}.npy": npy(np.zeros(1)) for i in range(2000)}},
    {},
], ids=["stray", "zip-slip", "absolute", "no-params", "no-config", "2000 entries", "empty"])
def test_odd_archives(entries):
    load_like_the_app(zip_of(entries))


def test_huge_declarations_are_refused_before_allocating():
    cases = [zip_of({**ENTRIES, "params.npy": npy_claiming((2**33,))}),
             with_config({**CONFIG, "model": {**CONFIG["model"], "layers": [
                 {"class": "Dense", "config": {"units": 10**9}}]}}),
             with_config({**CONFIG, "model": {**CONFIG["model"], "input_shape": [10**6, 10**6]}}),
             with_config({**CONFIG, "model": {**CONFIG["model"], "input_shape": [50_000],
                                               "layers": [{"class": "Dense",
                                                           "config": {"units": 50_000}}]}})]
    for blob in cases:
        tracemalloc.start()
        try:
            with pytest.raises(ExperimentFileError, match="needs at least|at most|declares"):
                with watch(), time_bound(BOUND, "huge declaration"):
                    eg.io.from_bytes(blob)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 32 * 2**20, f"{peak:,} bytes allocated for a claim"


def test_a_zip_bomb_is_refused_from_its_directory(monkeypatch):
    monkeypatch.setattr(eg.io, "MAX_UNPACKED_BYTES", 2**20)
    bomb = zip_of({**ENTRIES, "optimizer/m.npy": npy(np.zeros(2**18))})  # 2 MB of zeros
    assert len(bomb) < 2**16
    with pytest.raises(ExperimentFileError, match=r"unpacks to [\d,]+ bytes; at most 1,048,576"):
        eg.io.from_bytes(bomb)


# --------------------------------------------------------------------------- JSON level

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                              max_size=4),
    max_leaves=20)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(CONFIG) if p]


def _replaced(cfg, path, value):
    if not path:
        return value
    head, *rest = path
    out = dict(cfg) if isinstance(cfg, dict) else list(cfg)
    out[head] = _replaced(cfg[head], rest, value)
    return out


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_settings_with_any_value_anywhere(changes):
    cfg = CONFIG
    for path, value in changes:
        try:
            cfg = _replaced(cfg, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier change removed the path
            continue
    load_like_the_app(with_config(json.dumps(cfg, allow_nan=True)))


@FUZZ
@given(json_values)
def test_settings_that_are_any_json(cfg):
    load_like_the_app(with_config(json.dumps(cfg)))


@pytest.mark.parametrize("text", [
    "[" * 200_000, '{"a":' * 100_000, '{"format": "dl-playground-experiment", "version": 1}',
    '{"format": "dl-playground-experiment", "version": 1, "model": []}',
    json.dumps({**CONFIG, "n_params": -1, "extra": {"query": {"lr": "1" * 10**5}}}),
    json.dumps({**CONFIG, "extra": {"query": ["not", "a", "dict"]}}),
    json.dumps({**CONFIG, "optimizer": {**CONFIG["optimizer"], "t": -5}}),
    json.dumps({**CONFIG, "optimizer": {**CONFIG["optimizer"], "name": "__import__"}}),
    json.dumps({**CONFIG, "compile": {**CONFIG["compile"], "loss": "os.system"}}),
    json.dumps({**CONFIG, "model": {**CONFIG["model"], "dtype": "object"}}),
    '{"format": "dl-playground-experiment", "version": 1, "model": {"class": "Sequential", '
    '"input_shape": [Infinity], "layers": []}}',
    "\udcff not utf-8",
], ids=lambda t: t[:20])
def test_hostile_settings_text(text):
    load_like_the_app(with_config(text))
