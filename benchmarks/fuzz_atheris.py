"""Coverage-guided fuzzing (atheris / libFuzzer) of the parsers of user input. Optional.

    pip install atheris      # not in requirements-dev.txt: Linux wheels only, optional
    python benchmarks/fuzz_atheris.py expression -max_total_time=60
    python benchmarks/fuzz_atheris.py query -max_total_time=60
    python benchmarks/fuzz_atheris.py experiment-file -max_total_time=60 [corpus_dir ...]
    python benchmarks/fuzz_atheris.py experiment-parts -max_total_time=60

Each target hands libFuzzer's bytes to one parser and lets only its documented refusal
through: ``ExpressionError`` for ``from_expression``; nothing at all for the query reader
(the target calls ``state._from_query``, without the guard that makes ``from_query``
fall back to the defaults, so the fuzzer sees what the guard would hide);
``ExperimentFileError`` for ``engine.io.from_bytes`` and the app's upload path (raw
bytes, which mostly stop at the zip's checksums, or ``experiment-parts``: one entry or the
JSON settings of a valid file replaced by fuzzed content and re-zipped). Any other
exception is a finding: libFuzzer prints it and writes the input to ``crash-*``; add
``-timeout=5`` to report inputs that take longer than 5 s as hangs. Without a corpus
directory, ``experiment-file`` starts from a valid file the app wrote (compressed and
uncompressed) in a temp dir. The pytest/hypothesis suite in tests/fuzz runs in CI; this
is for longer runs by hand.
"""

from __future__ import annotations

import io
import sys
import tempfile
import urllib.parse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

try:
    import atheris
except ImportError:  # pragma: no cover - optional tool
    sys.exit("atheris is not installed: pip install atheris (optional, not in requirements)")

with atheris.instrument_imports():
    import numpy as np

    import engine as eg
    from engine.expression import ExpressionError
    from engine.io import ExperimentFileError
    from playground import builder, state
    from playground.config import Experiment

_PTS = np.array([-1.5, 0.0, 0.7, 3.0])


def fuzz_expression(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(600)
    try:
        surface = eg.surfaces.from_expression(text)
    except ExpressionError:
        return
    surface.f(_PTS, _PTS[::-1])
    surface.grad(_PTS[:2])


def fuzz_query(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    lang = fdp.PickValueInList(["en", "zh", "xx"])
    raw = fdp.ConsumeUnicodeNoSurrogates(2000)
    params = urllib.parse.parse_qs(raw, keep_blank_values=True)
    exp, notes = state._from_query(params, lang, state.RESERVED_KEYS)
    assert isinstance(exp, Experiment) and all(isinstance(n, str) for n in notes)


def fuzz_experiment_file(data: bytes) -> None:
    try:
        builder.load_experiment(data)
    except (ExperimentFileError, builder.ExperimentError):
        return


_ENTRIES: dict[str, bytes] = {}


def fuzz_experiment_parts(data: bytes) -> None:
    """Past the zip's CRCs: a valid file with one entry (or the JSON settings) replaced by
    fuzzed content, re-zipped correctly, then loaded like an upload."""
    if not _ENTRIES:
        with zipfile.ZipFile(io.BytesIO(_valid_file())) as z:
            _ENTRIES.update({n: z.read(n) for n in z.namelist()})
    fdp = atheris.FuzzedDataProvider(data)
    entries = dict(_ENTRIES)
    if fdp.ConsumeBool():
        text = fdp.ConsumeUnicodeNoSurrogates(4000).encode("utf-8")
        buf = io.BytesIO()
        np.save(buf, np.frombuffer(text, dtype=np.uint8))
        entries["__config__.npy"] = buf.getvalue()
    else:
        name = fdp.PickValueInList(sorted(entries))
        entries[name] = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 4000))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, payload in entries.items():
            z.writestr(name, payload)
    fuzz_experiment_file(out.getvalue())


TARGETS = {"expression": fuzz_expression, "query": fuzz_query,
           "experiment-file": fuzz_experiment_file, "experiment-parts": fuzz_experiment_parts}


def _valid_file() -> bytes:
    exp = Experiment().replace(layers=Experiment().layers[:1])
    trainer, _ = builder.build_trainer(exp)
    return eg.io.to_bytes(trainer.model, extra={"query": state.to_query(exp), "step": 0})


def seed_corpus(folder: Path) -> None:
    """A valid experiment file, as written by the app, compressed and stored."""
    blob = _valid_file()
    (folder / "valid.npz").write_bytes(blob)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, payload in entries.items():
            z.writestr(name, payload)
    (folder / "valid-stored.npz").write_bytes(out.getvalue())


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options] [corpus]")
    name = sys.argv.pop(1)
    args = list(sys.argv)
    if name == "experiment-file" and not any(not a.startswith("-") for a in args[1:]):
        corpus = Path(tempfile.mkdtemp(prefix="pg-fuzz-corpus-"))
        seed_corpus(corpus)
        args.append(str(corpus))
    atheris.Setup(args, TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
