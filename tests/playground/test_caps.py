"""Caps that keep one session from taking a shared server, and the shipped server settings.

Parameters (``builder.MAX_PARAMS``, checked before anything is allocated), samples
(``config.MAX_SAMPLES``), experiment files (``engine.io`` size caps, checked before
parsing), uploads (``server.maxUploadSize``), and a frame's training time
(``FRAME_BUDGET``): each refusal names the cap and what was asked for. The shipped
Streamlit configs keep XSRF protection on and stack traces away from students.
"""

from __future__ import annotations

import ast
import io
import re
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit import config as st_config

import engine as eg
from engine.io import ExperimentFileError
from playground import builder, state
from playground.config import FEATURES, MAX_LAYERS, MAX_SAMPLES, MAX_UNITS, Experiment, LayerSpec
from playground.i18n import t

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = {"dev": ROOT / ".streamlit" / "config.toml",
           "production": ROOT / "deploy" / "config.production.toml"}


def frame_budget() -> float:
    """FRAME_BUDGET as written in the Network page (read, not imported: no streamlit run)."""
    tree = ast.parse((ROOT / "playground" / "views" / "network.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "FRAME_BUDGET"
                                                for t in node.targets):
            return float(ast.literal_eval(node.value))
    raise AssertionError("FRAME_BUDGET not found in playground/views/network.py")


LARGEST = Experiment(n_samples=MAX_SAMPLES, features=FEATURES, batch_size=0,
                     layers=(LayerSpec(MAX_UNITS, "relu"),) * MAX_LAYERS, steps_per_frame=1000)


# --------------------------------------------------------------------------- parameters

def test_parameter_cap_is_one_million_and_the_message_names_it(monkeypatch):
    assert builder.MAX_PARAMS == 1_000_000
    monkeypatch.setattr(builder, "MAX_PARAMS", 100)
    with pytest.raises(builder.ExperimentError) as info:
        builder.build_model(Experiment())
    err = info.value
    assert err.key == "problem.too_many_params"
    assert err.fmt == {"n": builder.param_count(Experiment()), "cap": 100}
    text = t(err.key, "en", **err.fmt)
    assert "100" in text and str(err.fmt["n"]) in text


def test_the_cap_is_checked_before_anything_is_allocated(monkeypatch):
    monkeypatch.setattr(builder, "MAX_PARAMS", 10)

    def no_model(*args, **kwargs):
        raise AssertionError("a model was built for an experiment over the cap")

    monkeypatch.setattr(builder.eg, "Sequential", no_model)
    with pytest.raises(builder.ExperimentError, match="too_many_params"):
        builder.build_model(Experiment())


@pytest.mark.parametrize("exp", [Experiment(), LARGEST, Experiment(layers=()),
                                 Experiment(features=("x1",), layers=(LayerSpec(3),))])
def test_param_count_is_exact(exp):
    assert builder.param_count(exp) == builder.build_model(exp).n_params


def test_the_largest_experiment_a_link_allows_is_far_under_the_cap():
    wide = ",".join([f"{MAX_UNITS * 10}:relu"] * (MAX_LAYERS + 5))
    exp, notes = state.from_query({"layers": wide, "feat": ",".join(FEATURES),
                                   "n": str(10**9), "bs": "full"})
    assert len(exp.layers) == MAX_LAYERS and {s.units for s in exp.layers} == {MAX_UNITS}
    assert exp.n_samples == MAX_SAMPLES and notes
    assert builder.param_count(exp) == builder.param_count(LARGEST) < builder.MAX_PARAMS / 10


# --------------------------------------------------------------------------- samples

def test_a_link_asking_for_too_many_samples_is_clamped_with_a_note_naming_the_cap():
    exp, notes = state.from_query({"n": "50000", "bs": "99999"})
    assert exp.n_samples == MAX_SAMPLES and exp.batch_size == MAX_SAMPLES
    assert len(notes) == 2 and all(str(MAX_SAMPLES) in n for n in notes)
    assert "n=50000" in notes[0] and "bs=99999" in notes[1]


def test_the_builder_refuses_more_samples_than_the_cap_by_any_other_path():
    with pytest.raises(builder.ExperimentError) as info:
        builder.build_trainer(Experiment(n_samples=MAX_SAMPLES + 1))
    assert info.value.key == "problem.too_many_samples"
    assert info.value.fmt == {"n": MAX_SAMPLES + 1, "cap": MAX_SAMPLES}
    builder.build_data(Experiment(n_samples=MAX_SAMPLES))  # the cap itself is fine


# --------------------------------------------------------------------------- frame time

def test_a_frame_trains_for_its_budget_however_heavy_the_session(monkeypatch):
    """The heaviest session the caps allow (8x64 ReLU, 2000 samples, full batch, 1000 steps
    asked per frame) stops at the frame budget, not at its step count. The clock is fake:
    each step 'takes' 20 ms, so the check is exact and independent of this machine."""
    budget = frame_budget()
    assert 0 < budget <= 0.1
    trainer, _ = builder.build_trainer(LARGEST)
    clock = {"now": 0.0}
    real_step = trainer._one_step

    def slow_step():
        clock["now"] += 0.02
        return real_step()

    monkeypatch.setattr(trainer, "_one_step", slow_step)
    monkeypatch.setattr(eg.train.time, "perf_counter", lambda: clock["now"])
    trainer.run(budget, max_steps=LARGEST.steps_per_frame)
    assert trainer.step_count == int(budget / 0.02) + 1  # up to the budget, one step over


# --------------------------------------------------------------------------- files, uploads

def _valid_file() -> bytes:
    trainer, _ = builder.build_trainer(Experiment())
    return eg.io.to_bytes(trainer.model, extra={"query": {}, "step": 0})


def test_file_size_is_checked_before_parsing_and_named(monkeypatch):
    data = _valid_file()
    monkeypatch.setattr(eg.io, "MAX_BYTES", len(data) - 1)
    with pytest.raises(ExperimentFileError) as info:
        eg.io.from_bytes(data)
    assert f"{len(data):,} bytes" in str(info.value)
    assert f"limited to {len(data) - 1:,} bytes" in str(info.value)
    monkeypatch.setattr(eg.io, "MAX_BYTES", 1)
    with pytest.raises(ExperimentFileError, match="limited to 1 bytes"):
        eg.io.load_weights_into(builder.build_model(Experiment()), data)


def test_unpacked_size_and_entry_count_are_capped_from_the_zip_directory(monkeypatch):
    data = _valid_file()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        unpacked, entries = sum(i.file_size for i in z.infolist()), len(z.infolist())
    monkeypatch.setattr(eg.io, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(ExperimentFileError,
                       match=f"unpacks to {unpacked:,} bytes; at most {unpacked - 1:,}"):
        eg.io.from_bytes(data)
    monkeypatch.setattr(eg.io, "MAX_UNPACKED_BYTES", unpacked)
    monkeypatch.setattr(eg.io, "MAX_ENTRIES", entries - 1)
    with pytest.raises(ExperimentFileError,
                       match=f"holds {entries} entries; at most {entries - 1} are allowed"):
        eg.io.from_bytes(data)
    monkeypatch.setattr(eg.io, "MAX_ENTRIES", entries)
    eg.io.from_bytes(data)


def test_a_header_claiming_more_than_its_entry_holds_is_refused():
    data = _valid_file()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    entries["params.npy"] = head.getvalue() + b"\0" * 80
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in entries.items():
            z.writestr(n, d)
    with pytest.raises(ExperimentFileError, match=r"declares shape \(1000000000000,\)"):
        eg.io.from_bytes(out.getvalue())


def test_the_upload_cap_is_small_and_fits_the_engine_and_the_proxy():
    for name, path in CONFIGS.items():
        mb = tomllib.loads(path.read_text())["server"]["maxUploadSize"]
        assert 1 <= mb <= 5, f"{name}: maxUploadSize {mb} MB"
        assert mb * 2**20 <= eg.io.MAX_BYTES
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    body = re.search(r"client_max_body_size\s+(\d+)m;", nginx)
    assert body and int(body.group(1)) > 5, "nginx must let a 5 MB upload through"


# --------------------------------------------------------------------------- server settings

@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_shipped_configs_keep_xsrf_on_and_stack_traces_off(name):
    cfg = tomllib.loads(CONFIGS[name].read_text())
    known = set(st_config._config_options_template)
    for section, options in cfg.items():
        for option in options:
            assert f"{section}.{option}" in known, f"{name}: unknown option {section}.{option}"
    # "false" is a legacy value that still shows the stack trace; only "none" hides it all
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["server"].get("enableXsrfProtection", True) is True
    assert cfg["server"].get("enableCORS", True) is True
    assert "cookieSecret" not in cfg["server"], "the secret comes from the environment"
    assert cfg["browser"]["gatherUsageStats"] is False
    # fast reruns run a click's script while the live frame still trains on another thread
    assert cfg["runner"]["fastReruns"] is False


def test_the_production_config_is_headless_and_quiet():
    server = tomllib.loads(CONFIGS["production"].read_text())["server"]
    assert server["headless"] is True and server["address"] == "127.0.0.1"
    assert server["fileWatcherType"] == "none" and server["runOnSave"] is False
    assert server["disconnectedSessionTTL"] > 0
