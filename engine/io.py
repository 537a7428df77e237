"""Saving and loading experiments: JSON for what things are, .npz for the numbers, never pickle.

One experiment file is a NumPy ``.npz`` archive (a zip) holding

- ``__config__``: UTF-8 JSON as a uint8 array — the model architecture, the compile settings
  (loss, metrics, L1/L2), the optimizer's name, hyper-parameters and step count, and any
  JSON-serialisable ``extra`` the caller adds (the app stores its settings there);
- ``params``: the flat parameter vector;
- ``optimizer/<name>``: each optimizer state array.

Loading uses ``np.load(allow_pickle=False)`` and checks everything before touching a model, so
a corrupt or mismatched file raises :class:`ExperimentFileError` and changes nothing. A round
trip is bit for bit.
"""

from __future__ import annotations

import io as _io
import json
import math
import tokenize
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from engine.model import Sequential

FORMAT = "dl-playground-experiment"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024  # refuse larger files before parsing them
MAX_CONFIG_BYTES = 1024 * 1024
# Checked from the zip directory and the .npy headers before anything is decompressed:
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all arrays together, once decompressed
MAX_ENTRIES = 1024  # arrays in one file (params, optimizer state, layer state)
MAX_SAMPLE_ELEMENTS = 2**22  # numbers per sample at any layer of the file's network
# What a damaged zip or .npy can raise while being read (zlib: corrupt deflate data;
# NotImplementedError/RuntimeError: unknown compression method, encrypted entries;
# TokenError/SyntaxError: a .npy header NumPy's header parser cannot tokenize).
_DAMAGED = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError,
            NotImplementedError, RuntimeError, tokenize.TokenError, SyntaxError)


class ExperimentFileError(ValueError):
    """The file is not an experiment this version can load; the message says why."""


@dataclass
class Experiment:
    model: Sequential
    optimizer: Any | None
    extra: dict = field(default_factory=dict)


def _config(model: Sequential, optimizer, extra: dict | None) -> dict:
    if not model.built:
        raise ValueError("only a built model can be saved (give input_shape= or fit it first)")
    cfg: dict[str, Any] = {"format": FORMAT, "version": VERSION, "model": model.get_config(),
                           "n_params": int(model.params.size)}
    if model.loss is not None:
        cfg["compile"] = {"loss": model.loss.name, "metrics": list(model.metrics),
                          "l1": model.l1, "l2": model.l2}
    if optimizer is not None:
        sd = optimizer.state_dict()
        cfg["optimizer"] = {"name": sd["name"], "hyper": sd["hyper"], "t": sd["t"],
                            "state": sorted(sd["state"])}
    cfg["extra"] = extra or {}
    return cfg


def to_bytes(model: Sequential, optimizer=None, extra: dict | None = None) -> bytes:
    """The experiment file as bytes (``optimizer`` defaults to the model's)."""
    optimizer = model.optimizer if optimizer is None else optimizer
    cfg = _config(model, optimizer, extra)
    try:
        text = json.dumps(cfg, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the experiment settings are not JSON-serialisable: {exc}") from None
    arrays = {"__config__": np.frombuffer(text.encode("utf-8"), dtype=np.uint8),
              "params": model.params}
    if optimizer is not None:
        for name, arr in optimizer.state_dict()["state"].items():
            arrays[f"optimizer/{name}"] = arr
    for layer in model.layers:  # non-trainable layer state (batch-norm moving statistics)
        if hasattr(layer, "get_state"):
            for key, arr in layer.get_state().items():
                arrays[f"state/{layer.name}/{key}"] = arr
    buf = _io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def save(path: str | Path | BinaryIO, model: Sequential, optimizer=None,
         extra: dict | None = None) -> None:
    """Write the experiment to ``path`` (a file name or a binary file object)."""
    data = to_bytes(model, optimizer, extra)
    if hasattr(path, "write"):
        path.write(data)
    else:
        Path(path).write_bytes(data)


def _check_sizes(data: bytes) -> None:
    """Refuse oversized input before parsing it: the file, the number of arrays, their
    unpacked sizes, and shapes that claim more numbers than their entry holds. Object
    (pickled) arrays are refused here too, from their header alone."""
    if len(data) > MAX_BYTES:
        raise ExperimentFileError(f"the file is {len(data):,} bytes; experiment files are "
                                  f"limited to {MAX_BYTES:,} bytes")
    if not data.startswith(b"PK"):
        raise ExperimentFileError("not an experiment file: expected a .npz archive (a zip "
                                  f"file starting with 'PK'), got bytes starting {data[:8]!r}")
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ExperimentFileError(f"the archive holds {len(infos):,} entries; at most "
                                          f"{MAX_ENTRIES:,} are allowed")
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ExperimentFileError(f"the archive unpacks to {unpacked:,} bytes; at most "
                                          f"{MAX_UNPACKED_BYTES:,} are allowed")
            for info in infos:
                _check_entry(zf, info)
    except ExperimentFileError:
        raise
    except _DAMAGED as exc:
        raise ExperimentFileError(f"the file is damaged or not an experiment ({exc})") from None


def _check_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """One .npy entry: plain numbers, and no more of them than the entry's size holds."""
    name = info.filename
    if not name.endswith(".npy"):
        raise ExperimentFileError(f"unexpected entry {name[:80]!r} in the archive; an "
                                  "experiment file holds only .npy arrays")
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ExperimentFileError(f"entry {name[:80]!r} is .npy format {version}; "
                                      "expected 1.0 or 2.0")
    if dtype.hasobject:
        raise ExperimentFileError(f"the file is damaged or not an experiment: entry "
                                  f"{name[:80]!r} holds Python objects (dtype {dtype}); "
                                  "experiment files hold plain numbers and are never unpickled")
    declared = math.prod(shape) * dtype.itemsize
    if declared > info.file_size:
        raise ExperimentFileError(f"entry {name[:80]!r} declares shape {shape} of {dtype} "
                                  f"({declared:,} bytes) but holds only {info.file_size:,} bytes")


def _read_archive(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    _check_sizes(data)
    try:
        with np.load(_io.BytesIO(data), allow_pickle=False) as npz:
            names = list(npz.files)
            if "__config__" not in names or "params" not in names:
                raise ExperimentFileError(f"not an experiment file: the archive holds {names}, "
                                          "expected '__config__' and 'params'")
            raw = npz["__config__"]
            if raw.dtype != np.uint8 or raw.ndim != 1 or raw.size > MAX_CONFIG_BYTES:
                raise ExperimentFileError("the '__config__' entry is not a JSON text")
            arrays = {n: npz[n] for n in names if n != "__config__"}
    except ExperimentFileError:
        raise
    except _DAMAGED as exc:
        raise ExperimentFileError(f"the file is damaged or not an experiment ({exc})") from None
    try:
        cfg = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ExperimentFileError(f"the settings inside the file are not valid JSON: "
                                  f"{str(exc)[:200]}") from None
    if not isinstance(cfg, dict) or cfg.get("format") != FORMAT:
        raise ExperimentFileError(f"not an experiment file: expected format {FORMAT!r}, got "
                                  f"{cfg.get('format') if isinstance(cfg, dict) else cfg!r}")
    if cfg.get("version") != VERSION:
        raise ExperimentFileError(f"experiment file version {cfg.get('version')!r} is not "
                                  f"supported; this version reads {VERSION}")
    return cfg, arrays


def from_bytes(data: bytes) -> Experiment:
    """Build a new model (and optimizer) from experiment-file bytes."""
    cfg, arrays = _read_archive(bytes(data))
    try:
        _check_network_size(cfg["model"], arrays["params"])
        model = Sequential.from_config(cfg["model"])
    except ExperimentFileError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise ExperimentFileError(f"the model described in the file cannot be built: {exc}") \
            from None
    _check_params(model, cfg, arrays["params"])
    optimizer = _optimizer(cfg, arrays, model)
    if "compile" in cfg:
        c = cfg["compile"]
        try:
            model.compile(optimizer=optimizer if optimizer is not None else "sgd",
                          loss=c["loss"], metrics=c.get("metrics") or None,
                          l1=c.get("l1", 0.0), l2=c.get("l2", 0.0))
        except (ValueError, TypeError, KeyError) as exc:
            raise ExperimentFileError(f"the compile settings in the file are invalid: {exc}") \
                from None
    _restore_layer_state(model, arrays)
    np.copyto(model.params, arrays["params"])
    extra = cfg.get("extra") if isinstance(cfg.get("extra"), dict) else {}
    return Experiment(model, optimizer, extra)


def _check_network_size(model_cfg: dict, params: np.ndarray) -> None:
    """Count the parameters the file's network would allocate, without allocating them, and
    refuse a network bigger than the parameters the file holds (or with huge layer shapes)."""
    from engine import layers as layers_mod

    if not isinstance(model_cfg, dict) or not isinstance(model_cfg.get("layers", []), list):
        raise ValueError("not a Sequential config: expected a dict with a list of layers")
    shape = tuple(int(s) for s in model_cfg.get("input_shape") or ())
    rng = np.random.default_rng(0)
    total, has_params_before = 0, False
    for i, layer_cfg in enumerate(model_cfg.get("layers", [])):
        if math.prod(shape) > MAX_SAMPLE_ELEMENTS or any(s < 1 for s in shape):
            raise ExperimentFileError(f"layer {i} of the file's network takes inputs of shape "
                                      f"{shape}; at most {MAX_SAMPLE_ELEMENTS:,} positive "
                                      "numbers per sample are allowed")
        layer = layers_mod.from_config(layer_cfg)
        layer.input_grad = has_params_before
        shape = tuple(int(s) for s in layer.build(shape, rng))
        n = sum(math.prod(d.shape) for d in layer.declarations())
        has_params_before = has_params_before or n > 0
        total += n
        if total > params.size:
            raise ExperimentFileError(f"the file holds {params.shape} parameters but its "
                                      f"network needs at least {total:,}")


def _restore_layer_state(model: Sequential, arrays: dict[str, np.ndarray]) -> None:
    """Give layers with non-trainable state (batch norm) what the file holds for them."""
    for layer in model.layers:
        if not hasattr(layer, "set_state"):
            continue
        prefix = f"state/{layer.name}/"
        state = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        if not state:
            raise ExperimentFileError(f"the file has no saved state for layer {layer.name!r}")
        try:
            layer.set_state(state)
        except (ValueError, TypeError, KeyError) as exc:
            raise ExperimentFileError(f"the saved state of layer {layer.name!r} does not fit: "
                                      f"{exc}") from None


def load(path: str | Path | BinaryIO) -> Experiment:
    """Read an experiment file written by :func:`save`."""
    if hasattr(path, "read"):
        data = path.read(MAX_BYTES + 1)
    else:
        p = Path(path)
        if p.stat().st_size > MAX_BYTES:
            raise ExperimentFileError(f"the file is {p.stat().st_size:,} bytes; experiment "
                                      f"files are limited to {MAX_BYTES:,} bytes")
        data = p.read_bytes()
    return from_bytes(data)


def load_weights_into(model: Sequential, source: str | Path | BinaryIO | bytes) -> dict:
    """Restore params (and the optimizer state, when compatible) into an existing model.

    The architecture in the file must match the model's exactly; otherwise nothing changes
    and :class:`ExperimentFileError` names the difference. Returns the file's ``extra``.
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_BYTES + 1)
    else:
        data = Path(source).read_bytes()
    cfg, arrays = _read_archive(data)
    mine = model.get_config()
    theirs = cfg.get("model", {})
    if [_arch(c) for c in theirs.get("layers", [])] != [_arch(c) for c in mine["layers"]] or \
            theirs.get("input_shape") != mine["input_shape"]:
        raise ExperimentFileError("the file's network does not match this model: "
                                  f"file {_summary(theirs)} vs model {_summary(mine)}")
    _check_params(model, cfg, arrays["params"])
    optimizer = None
    if model.optimizer is not None and cfg.get("optimizer", {}).get("name") == \
            model.optimizer.name:
        optimizer = _optimizer(cfg, arrays, model)
    backup = [(layer, layer.get_state()) for layer in model.layers if hasattr(layer, "get_state")]
    try:
        _restore_layer_state(model, arrays)
    except ExperimentFileError:
        for layer, state in backup:  # all or nothing
            layer.set_state(state)
        raise
    np.copyto(model.params, arrays["params"])
    if optimizer is not None:
        model.optimizer.load_state_dict(optimizer.state_dict())
    return cfg.get("extra") if isinstance(cfg.get("extra"), dict) else {}


def _arch(layer_cfg: dict) -> tuple:
    c = dict(layer_cfg.get("config", {}))
    c.pop("name", None)
    return layer_cfg.get("class"), json.dumps(c, sort_keys=True)


def _summary(model_cfg: dict) -> str:
    parts = []
    for c in model_cfg.get("layers", []):
        cfg = c.get("config", {})
        parts.append(f"{c.get('class')}({cfg.get('units', cfg.get('rate', ''))})")
    return f"input {model_cfg.get('input_shape')} → " + " → ".join(parts)


def _check_params(model: Sequential, cfg: dict, params: np.ndarray) -> None:
    if params.ndim != 1 or params.shape != model.params.shape:
        raise ExperimentFileError(f"the file holds {params.shape} parameters but its network "
                                  f"needs {model.params.shape}")
    if params.dtype != model.params.dtype:
        raise ExperimentFileError(f"the file's parameters are {params.dtype}, the model is "
                                  f"{model.params.dtype}")
    if not np.all(np.isfinite(params)):
        raise ExperimentFileError("the file's parameters contain NaN or infinite values")


def _optimizer(cfg: dict, arrays: dict[str, np.ndarray], model: Sequential):
    if "optimizer" not in cfg:
        return None
    from engine import optim

    oc = cfg["optimizer"]
    state = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("optimizer/")}
    try:
        opt = optim.from_state_dict({"name": oc["name"], "hyper": oc["hyper"], "t": oc["t"],
                                     "state": state})
    except (KeyError, ValueError, TypeError) as exc:
        raise ExperimentFileError(f"the optimizer in the file cannot be restored: {exc}") \
            from None
    for name, arr in state.items():
        if arr.shape != model.params.shape:
            raise ExperimentFileError(f"optimizer state {name!r} has shape {arr.shape}, the "
                                      f"model has {model.params.shape} parameters")
    return opt
