"""Tables from CSV files: numeric features and one target column, checked cell by cell.

``load_csv`` reads a UTF-8 CSV with a header row (a path, bytes or a binary file object),
never evaluating anything: cells are matched against a plain decimal-number pattern and
converted with ``float``. Its size is checked before parsing. Missing cells (empty, ``nan``,
``NA``, ``N/A``, ``null``, ``none``, any case) are counted per column and reported; by
default they are an error, with ``nan="drop"`` their rows are dropped and counted.

Task inference: a text target, or a numeric target holding at most :data:`MAX_CLASSES`
distinct whole numbers, is a classification target (classes sorted and numbered 0..k-1,
their original spellings kept in ``class_names``); any other numeric target is regression.

Arrays: ``X`` (n, d) float64; ``y`` (n,) int64 class ids or float64 values. For a Dense
network use ``sparse_categorical_crossentropy`` with ``y`` as is, or ``one_hot()`` with
``categorical_crossentropy``; a regression target needs ``y[:, None]`` (n, 1).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

import numpy as np

from engine._checks import is_int as _is_int
from engine._checks import show as _show
from engine.images import split_indices

__all__ = ["MAX_CLASSES", "MISSING", "TableDataset", "TableFileError", "load_csv"]

MAX_CLASSES = 20
"""A numeric target with at most this many distinct whole numbers is a classification target."""

MAX_TEXT_CLASSES = 100
"""Most classes a text (or forced-classification) target may have: more is likely an id column."""

MISSING = frozenset({"", "nan", "-nan", "na", "n/a", "#n/a", "<na>", "null", "none"})
"""Cell spellings (compared lower-case, after stripping spaces) that mean a missing value."""

TASKS = ("classification", "regression")
NAN_MODES = ("raise", "drop")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SHOW_LINES = 5


class TableFileError(ValueError):
    """A CSV file is too big, not UTF-8, malformed, non-numeric or has missing values."""


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(i) for i in lines[:_SHOW_LINES])
    more = ", ..." if len(lines) > _SHOW_LINES else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


# ------------------------------------------------------------------------------ TableDataset


@dataclass(frozen=True, eq=False)
class TableDataset:
    """A table: ``X`` (n, d) float64 and ``y`` (n,), read-only copies, with its column names.

    ``task`` is "classification" (``y`` int64 ids in [0, n_classes), ``class_names`` their
    spellings in the file) or "regression" (``y`` float64, ``n_classes`` None,
    ``class_names`` empty). ``dropped_rows`` counts rows dropped for missing values;
    ``missing`` maps each column that had missing cells to their count.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    task: str
    n_classes: int | None = None
    class_names: tuple[str, ...] = ()
    dropped_rows: int = 0
    name: str = "table"
    missing: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {list(TASKS)}; received {_show(self.task)}")
        X = np.array(self.X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must be a 2-D array (n_rows, n_features) with n_rows, "
                             f"n_features >= 1; received shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X must hold finite numbers; received NaN or infinite values")
        names = tuple(str(s) for s in self.feature_names)
        if len(names) != X.shape[1]:
            raise ValueError(f"feature_names must name the {X.shape[1]} columns of X; "
                             f"received {len(names)} names")
        y = np.asarray(self.y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), one target per row of X; "
                             f"received shape {y.shape}")
        classes = tuple(str(c) for c in self.class_names)
        if self.task == "classification":
            k = self.n_classes
            if not _is_int(k) or int(k) < 1 or len(classes) != int(k):  # type: ignore[arg-type]
                raise ValueError(f"a classification table needs n_classes >= 1 and one class "
                                 f"name per class; received n_classes={_show(k)}, "
                                 f"{len(classes)} class names")
            k = int(k)  # type: ignore[arg-type]
            if y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() >= k)):
                raise ValueError(f"classification targets must be integer ids in [0, {k - 1}]; "
                                 f"received {_show(y)}")
            y = y.astype(np.int64)
        else:
            if self.n_classes is not None or classes:
                raise ValueError("a regression table has no classes: n_classes must be None "
                                 f"and class_names empty; received n_classes="
                                 f"{_show(self.n_classes)}, class_names={classes!r}")
            y = np.array(y, dtype=np.float64)
            if not np.all(np.isfinite(y)):
                raise ValueError("y must hold finite numbers; received NaN or infinite values")
            k = None
        X.flags.writeable = False
        y.flags.writeable = False
        for name, value in (("X", X), ("y", y), ("feature_names", names), ("n_classes", k),
                            ("class_names", classes), ("target_name", str(self.target_name)),
                            ("dropped_rows", int(self.dropped_rows)),
                            ("missing", MappingProxyType(dict(self.missing)))):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        classes = f", {self.n_classes} classes" if self.task == "classification" else ""
        dropped = f", {self.dropped_rows} rows dropped" if self.dropped_rows else ""
        return (f"TableDataset(name={self.name!r}, task={self.task!r}{classes}, X shape "
                f"{self.X.shape}, target={self.target_name!r}{dropped})")

    def split(self, train_fraction: float = 0.8, seed: int = 0, stratify: bool | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Shuffle deterministically and split -> ``(X_train, y_train, X_test, y_test)``.

        ``round(train_fraction · n)`` rows go to training, at least one on each side;
        ``stratify`` (default: True for classification) keeps the class proportions. The
        arrays are fresh writable copies.
        """
        if stratify is None:
            stratify = self.task == "classification"
        if stratify and self.task != "classification":
            raise ValueError("stratify=True needs a classification table; this one is "
                             f"{self.task!r}")
        tr, te = split_indices(len(self), train_fraction, seed, self.y if stratify else None)
        return self.X[tr], self.y[tr], self.X[te], self.y[te]

    def one_hot(self) -> np.ndarray:
        """Classification targets as one-hot float64 rows (n, n_classes)."""
        if self.task != "classification":
            raise ValueError(f"one_hot needs a classification table; this one is {self.task!r}")
        out = np.zeros((len(self), self.n_classes), np.float64)  # type: ignore[arg-type]
        out[np.arange(len(self)), self.y] = 1.0
        return out


# ------------------------------------------------------------------------------ reading


def _check_cap(value: object, what: str) -> int:
    if not _is_int(value) or int(value) < 1:  # type: ignore[arg-type]
        raise ValueError(f"{what} must be a positive integer; received {_show(value)}")
    return int(value)  # type: ignore[arg-type]


def _too_big(name: str, size: str, max_bytes: int) -> TableFileError:
    return TableFileError(f"{name} is {size} bytes; the cap is max_bytes={max_bytes:,} bytes "
                          f"(pass a larger max_bytes to read it)")


def _read_source(source: object, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of ``source`` (size checked before reading them all) and a display name."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_big("the CSV data", f"{len(data):,}", max_bytes)
        return data, "the CSV data"
    if isinstance(source, str | os.PathLike):
        if isinstance(source, str) and "\n" in source:
            raise TypeError("source looks like CSV text, not a path; pass the text as bytes "
                            "(text.encode('utf-8')) or a path")
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no CSV file at {path}; expected the path of an existing "
                                    f"file")
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(str(path), f"{size:,}", max_bytes)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:  # grew since stat
            raise _too_big(str(path), f"more than {max_bytes:,}", max_bytes)
        return data, str(path)
    read = getattr(source, "read", None)
    if not callable(read):
        raise TypeError(f"source must be a path, bytes or a binary file object; received "
                        f"{_show(source)}")
    label = str(getattr(source, "name", "the CSV stream"))
    try:
        if source.seekable():  # type: ignore[attr-defined]
            here = source.tell()  # type: ignore[attr-defined]
            end = source.seek(0, io.SEEK_END)  # type: ignore[attr-defined]
            source.seek(here)  # type: ignore[attr-defined]
            if end - here > max_bytes:
                raise _too_big(label, f"{end - here:,}", max_bytes)
    except (AttributeError, OSError):
        pass
    data = read(max_bytes + 1)
    if isinstance(data, str):
        raise TypeError(f"{label} is a text stream; open the file in binary mode ('rb') or "
                        f"pass bytes")
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"{label}.read() returned {_show(data)}; expected bytes")
    if len(data) > max_bytes:
        raise _too_big(label, f"more than {max_bytes:,}", max_bytes)
    return bytes(data), label


def _decode(data: bytes, name: str) -> str:
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + bom
        line = data.count(b"\n", 0, at) + 1
        raise TableFileError(
            f"{name} is not UTF-8 text: byte 0x{data[at]:02x} at line {line} (byte offset "
            f"{at}) cannot be decoded; expected a UTF-8 CSV file (re-save it as UTF-8)") from None


def _parse_rows(text: str, name: str, delimiter: str,
                max_rows: int) -> tuple[list[str], list[int], list[list[str]]]:
    """Header, data line numbers and data rows (cells stripped); blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    lines: list[int] = []
    rows: list[list[str]] = []
    try:
        for cells in reader:
            if not cells:
                continue
            cells = [c.strip() for c in cells]
            if header is None:
                header = cells
                _check_header(header, name, reader.line_num, delimiter)
                continue
            if len(cells) != len(header):
                raise TableFileError(
                    f"{name}, line {reader.line_num}: {len(cells)} field(s); expected "
                    f"{len(header)}, one per header column ({', '.join(header)})")
            if len(rows) == max_rows:
                raise TableFileError(f"{name} has more than {max_rows:,} data rows (line "
                                     f"{reader.line_num}); the cap is max_rows={max_rows:,}")
            lines.append(reader.line_num)
            rows.append(cells)
    except csv.Error as exc:
        raise TableFileError(f"{name}, line {reader.line_num}: malformed CSV ({exc}); expected "
                             f"comma-separated fields with balanced quotes") from None
    if header is None:
        raise TableFileError(f"{name} is empty; expected a header row and at least one data "
                             f"row")
    if not rows:
        raise TableFileError(f"{name} has a header ({', '.join(header)}) but no data rows; "
                             f"expected at least one")
    return header, lines, rows


def _check_header(header: list[str], name: str, line: int, delimiter: str) -> None:
    if len(header) < 2:
        raise TableFileError(
            f"{name} has a single column ({header[0]!r}); expected at least two: one or more "
            f"feature columns and a target (is the separator {delimiter!r}?)")
    empty = [i + 1 for i, h in enumerate(header) if not h]
    if empty:
        raise TableFileError(f"{name}, line {line}: header column(s) {empty} have no name; "
                             f"expected a name for every column")
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise TableFileError(f"{name}, line {line}: column name {h!r} appears twice; "
                                 f"expected unique column names")
        seen.add(h)
    if all(_NUMBER.fullmatch(h) for h in header):
        raise TableFileError(f"{name}, line {line}: the first row looks like data (all "
                             f"numbers: {', '.join(header[:5])}); expected a header row "
                             f"naming the columns")


def _pick_target(header: list[str], target: str | int | None, name: str) -> int:
    k = len(header)
    if target is None:
        return k - 1
    if isinstance(target, str):
        if target in header:
            return header.index(target)
        close = difflib.get_close_matches(target, header, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"target {target!r} is not a column of {name}{hint}; expected one of "
                         f"{header}")
    if _is_int(target):
        t = int(target)  # type: ignore[arg-type]
        if -k <= t < k:
            return t % k
        raise ValueError(f"target column index must lie in [{-k}, {k - 1}] for {k} columns; "
                         f"received {t}")
    raise TypeError(f"target must be a column name, a column index or None (the last "
                    f"column); received {_show(target)}")


def _is_missing(cell: str) -> bool:
    return cell.lower() in MISSING


def _number(cell: str) -> float | None:
    """A finite float for a plain decimal number, else None."""
    if not _NUMBER.fullmatch(cell):
        return None
    value = float(cell)
    return value if np.isfinite(value) else None


def _numeric_column(cells: list[str], lines: list[int], column: str, name: str,
                    role: str) -> np.ndarray:
    """Cells -> float64 (NaN where missing); a non-number raises naming line, column, value."""
    out = np.empty(len(cells), np.float64)
    for i, cell in enumerate(cells):
        if _is_missing(cell):
            out[i] = np.nan
            continue
        value = _number(cell)
        if value is None:
            raise TableFileError(
                f"{name}, line {lines[i]}, column {column!r}: {cell!r} is not a finite number; "
                f"expected numbers in every {role} (empty, 'nan' or 'NA' mark a missing value)")
        out[i] = value
    return out


def _targets(cells: list[str], lines: list[int], column: str, name: str,
             task: str | None) -> tuple[str, np.ndarray, tuple[str, ...]]:
    """-> (task, y, class_names) from the target cells (missing ones already removed)."""
    texts = [c for c in cells if _number(c) is None]
    if texts:
        if task == "regression":
            i = next(i for i, c in enumerate(cells) if _number(c) is None)
            raise TableFileError(f"{name}, line {lines[i]}, column {column!r}: {cells[i]!r} is "
                                 f"not a finite number; expected numbers for a regression "
                                 f"target")
        classes, ids = np.unique(np.array(cells, dtype=object).astype(str),
                                 return_inverse=True)
        names = tuple(str(c) for c in classes)
    else:
        values = np.array([float(c) for c in cells], np.float64)
        distinct = np.unique(values)
        whole = bool(np.all(distinct == np.round(distinct)))
        if task is None:
            task = "classification" if whole and distinct.size <= MAX_CLASSES else "regression"
        if task == "regression":
            if distinct.size < 2:
                raise TableFileError(f"{name}: target column {column!r} holds the single value "
                                     f"{cells[0]!r} in every row; expected at least two values")
            return task, values, ()
        classes, ids = distinct, np.searchsorted(distinct, values)
        names = tuple(str(int(c)) if whole else repr(float(c)) for c in classes)
    if len(names) < 2:
        raise TableFileError(f"{name}: target column {column!r} holds the single class "
                             f"{names[0]!r} in every row; expected at least two classes")
    if len(names) > MAX_TEXT_CLASSES:
        raise TableFileError(f"{name}: target column {column!r} has {len(names)} distinct "
                             f"classes; expected at most {MAX_TEXT_CLASSES} (is it an id "
                             f"column? choose another target)")
    return "classification", ids.astype(np.int64), names


def load_csv(source: str | os.PathLike | bytes | BinaryIO, target: str | int | None = None,
             max_bytes: int = 5_000_000, max_rows: int = 20_000, *, nan: str = "raise",
             task: str | None = None, delimiter: str = ",") -> TableDataset:
    """Read a CSV table -> TableDataset with X (n, d) float64 and y (n,).

    ``source``: a path, the file's bytes, or a binary file object. Its size is checked
    against ``max_bytes`` before parsing, the data rows against ``max_rows``. The file must
    be UTF-8 with a header row; ``target`` is a column name or index (default: the last
    column); every other column is a numeric feature. ``nan="raise"`` (default) reports
    missing cells per column with their lines; ``nan="drop"`` drops those rows and counts
    them in ``dropped_rows``. ``task`` forces "classification" or "regression" instead of
    inferring it (see the module docstring). Raises TableFileError (a ValueError) for
    content problems, FileNotFoundError / TypeError / ValueError for bad arguments.
    """
    max_bytes = _check_cap(max_bytes, "max_bytes")
    max_rows = _check_cap(max_rows, "max_rows")
    if nan not in NAN_MODES:
        raise ValueError(f"nan must be one of {list(NAN_MODES)}; received {_show(nan)}")
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)} or None (infer); received "
                         f"{_show(task)}")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"delimiter must be one character other than a quote or a line "
                         f"break; received {_show(delimiter)}")
    data, name = _read_source(source, max_bytes)
    text = _decode(data, name)
    header, lines, rows = _parse_rows(text, name, delimiter, max_rows)
    t = _pick_target(header, target, name)
    columns = list(zip(*rows, strict=True))
    features = [j for j in range(len(header)) if j != t]
    X = np.column_stack([_numeric_column(list(columns[j]), lines, header[j], name,
                                         "feature column") for j in features])
    y_cells = list(columns[t])
    missing_mask = np.isnan(X)
    y_missing = np.array([_is_missing(c) for c in y_cells])
    counts = {header[j]: int(missing_mask[:, i].sum()) for i, j in enumerate(features)}
    counts[header[t]] = int(y_missing.sum())
    counts = {k: v for k, v in counts.items() if v}
    bad_rows = missing_mask.any(axis=1) | y_missing
    dropped = 0
    if counts:
        if nan == "raise":
            parts = []
            for j in range(len(header)):
                if header[j] not in counts:
                    continue
                where = y_missing if j == t else missing_mask[:, features.index(j)]
                at = [lines[i] for i in np.flatnonzero(where)]
                parts.append(f"{header[j]!r}: {counts[header[j]]} ({_lines(at)})")
            raise TableFileError(
                f"{name} has {sum(counts.values())} missing value(s) (empty, 'nan' or 'NA' "
                f"cells) in {int(bad_rows.sum())} row(s): {'; '.join(parts)}; expected a "
                f"complete table, or pass nan='drop' to drop those rows")
        keep = ~bad_rows
        dropped = int(bad_rows.sum())
        if not keep.any():
            raise TableFileError(f"{name}: every one of its {len(rows)} data rows has a "
                                 f"missing value ({counts}); nothing is left after dropping")
        X = X[keep]
        lines = [ln for ln, k in zip(lines, keep, strict=True) if k]
        y_cells = [c for c, k in zip(y_cells, keep, strict=True) if k]
    task, y, class_names = _targets(y_cells, lines, header[t], name, task)
    label = Path(name).stem if name not in ("the CSV data", "the CSV stream") else "table"
    return TableDataset(X=X, y=y, feature_names=tuple(header[j] for j in features),
                        target_name=header[t], task=task,
                        n_classes=len(class_names) if task == "classification" else None,
                        class_names=class_names, dropped_rows=dropped, name=label,
                        missing=counts)
