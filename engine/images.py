"""Image data sets for the convolution lessons, read from local files only (never downloaded).

Sets
    digits  scikit-learn's bundled 8×8 hand-written digits (1,797 images, 10 classes, grey
            levels 0-16 scaled to [0, 1]), read through ``sklearn.datasets.load_digits``.
            scikit-learn is imported only when :func:`load_digits` is called.
    mnist   LeCun, Cortes and Burges' 28×28 digits (60,000 training and 10,000 test images,
            grey levels 0-255 scaled to [0, 1]) from a file the user already has: Keras'
            ``mnist.npz`` or a directory holding the four IDX files (optionally gzipped).
            See :func:`load_mnist` for the checks and the known checksums.

Images are channels-last ``(n, h, w, c)``, as the engine's Conv2D expects; labels are int64
class ids ``(n,)``. ``load_digits`` returns float64 images; ``load_mnist`` float32 by default
(60,000 × 784 values take 188 MB in float32 and 376 MB in float64).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine._checks import check_fraction as _check_fraction
from engine._checks import check_seed as _check_seed
from engine._checks import is_int as _is_int
from engine._checks import show as _show

__all__ = [
    "IDX_FILES",
    "KNOWN_MD5",
    "KNOWN_SHA256",
    "MAX_IMAGES",
    "VERIFY_MODES",
    "ImageDataset",
    "ImageFileError",
    "load_digits",
    "load_mnist",
    "split_indices",
]

DEFAULT_TRAIN_FRACTION = 0.8
MAX_IMAGES = 100_000
"""Largest image count :func:`load_mnist` accepts in one file (MNIST has 60,000)."""

MNIST_SIZES = {"train": 60_000, "test": 10_000}
MNIST_SHAPE = (28, 28)
IDX_IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
IDX_LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension

IDX_FILES: dict[str, str] = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
"""The four IDX files of MNIST (each may also be gzipped, with a ``.gz`` suffix)."""

KNOWN_SHA256: dict[str, str] = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}
"""SHA-256 of official files by file name (Keras' ``mnist.npz``, as keras.datasets checks it)."""

KNOWN_MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
"""MD5 of the official gzipped IDX files by file name (the digests torchvision checks)."""

VERIFY_MODES = ("auto", "strict", "off")
_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
_DIGIT_NAMES = tuple(str(i) for i in range(10))


class ImageFileError(ValueError):
    """An image file is malformed, truncated, inconsistent or fails its checksum."""


# ------------------------------------------------------------------------------ splitting


def split_indices(n: int, train_fraction: float = DEFAULT_TRAIN_FRACTION, seed: int = 0,
                  labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic shuffled split of ``range(n)`` -> ``(train_idx, test_idx)``, int64.

    ``round(train_fraction · n)`` indices go to training, at least one on each side. With
    ``labels`` (n,) the split is stratified: each class contributes its share (largest
    remainders decide the rounding), so class proportions match on both sides. Both index
    arrays come in shuffled order; the same arguments give the same arrays.
    """
    frac = _check_fraction(train_fraction)
    seed = _check_seed(seed)
    if not _is_int(n) or int(n) < 2:
        raise ValueError(f"split needs at least 2 samples; received n={_show(n)}")
    n = int(n)
    n_train = min(max(int(round(frac * n)), 1), n - 1)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    if labels is None:
        return order[:n_train].astype(np.int64), order[n_train:].astype(np.int64)
    lab = np.asarray(labels).reshape(-1)
    if lab.shape[0] != n:
        raise ValueError(f"labels must have one entry per sample; received {lab.shape[0]} "
                         f"labels for n={n}")
    classes, codes = np.unique(lab, return_inverse=True)
    counts = np.bincount(codes, minlength=classes.size).astype(np.int64)
    share = n_train * counts
    quota = share // n
    remainder = share % n
    missing = n_train - int(quota.sum())
    quota[np.argsort(-remainder, kind="stable")[:missing]] += 1
    ordered = order[np.argsort(codes[order], kind="stable")]  # by class, shuffled within
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(n, np.int64)
    rank[ordered] = np.arange(n) - np.repeat(starts, counts)
    train_mask = rank < quota[codes]
    train = order[train_mask[order]]
    test = order[~train_mask[order]]
    return train.astype(np.int64), test.astype(np.int64)


def _frozen_images(X: object, what: str) -> np.ndarray:
    """``X`` as a read-only float (n, h, w, c) array in [0, 1] (copied unless already frozen)."""
    arr = np.asarray(X)
    if arr.ndim != 4:
        raise ValueError(f"{what} must be a 4-D array (n, height, width, channels), "
                         f"channels last; received shape {arr.shape}")
    if arr.dtype not in (np.float32, np.float64):
        raise ValueError(f"{what} must be float32 or float64 grey levels in [0, 1]; received "
                         f"dtype {arr.dtype} (scale integer pixels first, e.g. x / 255)")
    if arr.flags.writeable or arr.base is not None:
        arr = arr.copy()
    if arr.size and not (np.isfinite(arr).all() and arr.min() >= 0.0 and arr.max() <= 1.0):
        raise ValueError(f"{what} must hold finite values in [0, 1]; received values from "
                         f"{np.nanmin(arr)} to {np.nanmax(arr)}")
    arr.flags.writeable = False
    return arr


def _frozen_labels(labels: object, n: int, n_classes: int, what: str) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{what} must have shape ({n},), one class id per image; received "
                         f"shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{what} must be integer class ids; received dtype {arr.dtype}")
    arr = arr.astype(np.int64)  # always a fresh copy
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{what} must lie in [0, {n_classes - 1}] for {n_classes} classes; "
                         f"received values from {arr.min()} to {arr.max()}")
    arr.flags.writeable = False
    return arr


# ------------------------------------------------------------------------------ ImageDataset


@dataclass(frozen=True, eq=False)
class ImageDataset:
    """Labelled images: ``X`` (n, h, w, c) float in [0, 1], ``labels`` (n,) int64, read-only.

    ``X_test`` / ``labels_test`` hold a fixed test set when the source comes with one
    (MNIST); otherwise both are None and :meth:`split` draws one. ``verified`` is True when
    every source file matched a known official checksum; ``provenance`` says, in words,
    where the images came from and what was checked. Inputs that are not already read-only
    float arrays are copied.
    """

    X: np.ndarray
    labels: np.ndarray
    name: str
    n_classes: int
    class_names: tuple[str, ...]
    X_test: np.ndarray | None = None
    labels_test: np.ndarray | None = None
    verified: bool = False
    provenance: str = ""

    def __post_init__(self) -> None:
        if not _is_int(self.n_classes) or int(self.n_classes) < 1:
            raise ValueError(f"n_classes must be a positive integer; received "
                             f"{_show(self.n_classes)}")
        k = int(self.n_classes)
        names = tuple(str(c) for c in self.class_names)
        if len(names) != k:
            raise ValueError(f"class_names must name each of the {k} classes; received "
                             f"{len(names)} names")
        X = _frozen_images(self.X, "X")
        labels = _frozen_labels(self.labels, X.shape[0], k, "labels")
        if (self.X_test is None) != (self.labels_test is None):
            raise ValueError("X_test and labels_test go together: pass both or neither; "
                             f"received X_test={_show(self.X_test)}, "
                             f"labels_test={_show(self.labels_test)}")
        X_test = labels_test = None
        if self.X_test is not None:
            X_test = _frozen_images(self.X_test, "X_test")
            if X_test.shape[1:] != X.shape[1:] or X_test.dtype != X.dtype:
                raise ValueError(f"X_test must hold images like X, {X.shape[1:]} {X.dtype}; "
                                 f"received {X_test.shape[1:]} {X_test.dtype}")
            labels_test = _frozen_labels(self.labels_test, X_test.shape[0], k, "labels_test")
        for field, value in (("X", X), ("labels", labels), ("X_test", X_test),
                             ("labels_test", labels_test), ("n_classes", k),
                             ("class_names", names), ("verified", bool(self.verified))):
            object.__setattr__(self, field, value)

    def __len__(self) -> int:
        """Number of images in ``X`` (the training part when a test set is attached)."""
        return int(self.X.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one image."""
        return tuple(int(s) for s in self.X.shape[1:])  # type: ignore[return-value]

    @property
    def has_test(self) -> bool:
        """True when the data set carries its own fixed test set."""
        return self.X_test is not None

    def __repr__(self) -> str:
        test = f", test X shape {self.X_test.shape}" if self.X_test is not None else ""
        return (f"ImageDataset(name={self.name!r}, X shape {self.X.shape}, dtype "
                f"{self.X.dtype.name}, {self.n_classes} classes{test}, "
                f"verified={self.verified})")

    def split(self, train_fraction: float | None = None, seed: int = 0,
              stratify: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """-> ``(X_train, labels_train, X_test, labels_test)``; labels are int64 (n,).

        With a fixed test set (MNIST) and ``train_fraction=None`` these are the given parts
        (read-only, unshuffled: ``fit`` shuffles). Otherwise ``X`` is split by
        :func:`split_indices` (``train_fraction`` defaults to 0.8; ``stratify`` keeps the
        class proportions) and the four arrays are fresh writable copies.
        """
        if self.X_test is not None:
            if train_fraction is not None:
                raise ValueError(
                    f"{self.name} comes with a fixed test set ({self.X_test.shape[0]} images); "
                    f"call split() without train_fraction to use it; received "
                    f"train_fraction={train_fraction!r}")
            _check_seed(seed)
            return self.X, self.labels, self.X_test, self.labels_test  # type: ignore[return-value]
        frac = DEFAULT_TRAIN_FRACTION if train_fraction is None else train_fraction
        tr, te = split_indices(len(self), frac, seed, self.labels if stratify else None)
        return self.X[tr], self.labels[tr], self.X[te], self.labels[te]

    def flat(self) -> np.ndarray:
        """``X`` as rows (n, h·w·c) for a Dense network (a read-only view, no copy)."""
        return self.X.reshape(self.X.shape[0], -1)

    def one_hot(self, labels: np.ndarray | None = None) -> np.ndarray:
        """Class ids (n,) (default: ``self.labels``) -> one-hot float64 (n, n_classes)."""
        ids = self.labels if labels is None else np.asarray(labels)
        if ids.ndim != 1 or ids.dtype.kind not in "iu":
            raise ValueError(f"labels must be integer class ids of shape (n,); received "
                             f"{_show(ids)}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.n_classes):
            raise ValueError(f"labels must lie in [0, {self.n_classes - 1}]; received values "
                             f"from {ids.min()} to {ids.max()}")
        out = np.zeros((ids.size, self.n_classes), np.float64)
        out[np.arange(ids.size), ids] = 1.0
        return out


# ------------------------------------------------------------------------------ digits


def load_digits() -> ImageDataset:
    """scikit-learn's 8×8 digits: X (1797, 8, 8, 1) float64 in [0, 1], labels 0-9.

    Grey levels 0-16 are divided by 16. No test set is attached: use ``split``.
    Needs scikit-learn (imported here, not when the engine is imported).
    """
    # Imported here, so that `import engine` needs only NumPy and SciPy (an optional extra;
    # tests/test_style.py allows it only inside a function).
    try:
        import sklearn.datasets as sk_datasets
    except ImportError as exc:
        raise ImportError("load_digits needs scikit-learn, which ships the 8×8 digits; "
                          "install it with `pip install scikit-learn`") from exc
    bunch = sk_datasets.load_digits()
    images = np.asarray(bunch.images, dtype=np.float64) / 16.0
    return ImageDataset(X=images[..., None], labels=np.asarray(bunch.target, np.int64),
                        name="digits", n_classes=10, class_names=_DIGIT_NAMES,
                        provenance="scikit-learn's bundled copy of the UCI optical digits "
                                   "(8×8, grey levels 0-16 / 16); no checksum")


# ------------------------------------------------------------------------------ MNIST


@dataclass(frozen=True)
class _Source:
    """One file read for MNIST: its bytes and whether it has the official number of images."""

    path: Path
    raw: bytes
    count: str  # e.g. "60000 images", for messages
    official: bool


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def _idx_header(path: Path, head: bytes, kind: str) -> tuple[int, int]:
    """Check an IDX header -> (number of items, number of data bytes it announces)."""
    size = 16 if kind == "images" else 8
    if len(head) < size:
        raise ImageFileError(f"{path} is truncated: an IDX {kind} header needs {size} bytes, "
                             f"received {len(head)}")
    fields = np.frombuffer(head, dtype=">u4").astype(np.int64)
    magic, n = int(fields[0]), int(fields[1])
    expected = IDX_IMAGES_MAGIC if kind == "images" else IDX_LABELS_MAGIC
    if magic != expected:
        other = {IDX_IMAGES_MAGIC: " (that of an images file)",
                 IDX_LABELS_MAGIC: " (that of a labels file)"}.get(magic, "")
        raise ImageFileError(f"{path} is not an IDX {kind} file: expected magic number "
                             f"{expected}, received {magic}{other}")
    if n > MAX_IMAGES:
        raise ImageFileError(f"{path} announces {n} {kind}; expected at most {MAX_IMAGES}")
    if kind == "labels":
        return n, n
    rows, cols = int(fields[2]), int(fields[3])
    if (rows, cols) != MNIST_SHAPE:
        raise ImageFileError(f"{path} holds {rows}×{cols} images; expected MNIST's "
                             f"{MNIST_SHAPE[0]}×{MNIST_SHAPE[1]}")
    return n, n * rows * cols


def _gunzip(path: Path, raw: bytes, head_size: int,
            body_size_of: Callable[[bytes], int]) -> tuple[bytes, bytes, bool]:
    """Decompress a gzipped IDX file, never more than its header announces (+1 byte).

    -> (header, body, longer): ``longer`` is True when data follows the announced body.
    """
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = d.decompress(raw, head_size)
        body_size = body_size_of(head)
        body = d.decompress(d.unconsumed_tail, body_size + 1)
        longer = len(body) > body_size
        if not longer and not d.eof and len(body) == body_size:
            longer = len(d.decompress(d.unconsumed_tail, 1)) > 0
    except zlib.error as exc:
        raise ImageFileError(f"{path} is not a valid gzip file ({exc}); expected a gzipped "
                             f"IDX file") from None
    if len(body) == body_size and not longer and not d.eof:
        raise ImageFileError(f"{path}: the gzip stream is truncated (its end and CRC are "
                             f"missing); expected a complete gzip file")
    return head, body, longer


def _parse_idx(path: Path, raw: bytes, kind: str) -> tuple[np.ndarray, int]:
    """One IDX file (gzipped or not) -> (uint8 images (n, 28, 28) or labels (n,), n)."""
    head_size = 16 if kind == "images" else 8
    info: dict[str, int] = {}

    def body_size_of(head: bytes) -> int:
        info["n"], size = _idx_header(path, head, kind)
        return size

    if path.name.endswith(".gz"):
        head, body, longer = _gunzip(path, raw, head_size, body_size_of)
        size = head_size + info["n"] * (784 if kind == "images" else 1)
        if longer:
            raise ImageFileError(f"{path} is longer than its header says: expected {size} "
                                 f"bytes after decompression, received more")
        received = len(head) + len(body)
    else:
        head = raw[:head_size]
        body_size = body_size_of(head)
        body = raw[head_size:]
        size, received = head_size + body_size, len(raw)
        if received > size:
            raise ImageFileError(f"{path} is longer than its header says: expected {size} "
                                 f"bytes, received {received}")
    if received < size:
        raise ImageFileError(f"{path} is truncated: its header announces {size} bytes "
                             f"({info['n']} {kind}), received {received} bytes")
    values = np.frombuffer(body, dtype=np.uint8)
    if kind == "images":
        values = values.reshape(-1, *MNIST_SHAPE)
    return values, info["n"]


def _find_idx(directory: Path) -> dict[str, Path]:
    """The four IDX files in ``directory`` (the ``.gz`` file wins when both forms exist)."""
    found, missing = {}, []
    for role, base in IDX_FILES.items():
        for candidate in (directory / f"{base}.gz", directory / base):
            if candidate.is_file():
                found[role] = candidate
                break
        else:
            missing.append(base)
    if missing:
        expected = ", ".join(f"{b}[.gz]" for b in IDX_FILES.values())
        raise FileNotFoundError(
            f"{directory} does not hold the MNIST IDX files: missing {', '.join(missing)}; "
            f"expected all four of {expected} (or pass the path of a Keras mnist.npz)")
    return found


def _load_idx_dir(directory: Path) -> tuple[dict[str, np.ndarray], list[_Source]]:
    arrays, sources = {}, []
    for role, file in _find_idx(directory).items():
        split, kind = role.split("_")
        raw = _read_bytes(file)
        arrays[role], n = _parse_idx(file, raw, kind)
        sources.append(_Source(file, raw, f"{n} {kind}", n == MNIST_SIZES[split]))
    return arrays, sources


def _load_npz(path: Path) -> tuple[dict[str, np.ndarray], list[_Source]]:
    raw = _read_bytes(path)
    if not raw.startswith(b"PK\x03\x04"):
        raise ImageFileError(f"{path} is not an .npz archive (it starts with {raw[:8]!r}); "
                             "expected a Keras mnist.npz or a directory of IDX files")
    limit = MAX_IMAGES * MNIST_SHAPE[0] * MNIST_SHAPE[1] + 4096
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            big = {i.filename: i.file_size for i in archive.infolist() if i.file_size > limit}
        if big:
            raise ImageFileError(f"{path} holds members larger than {limit} bytes ({big}); "
                                 "expected MNIST-sized arrays")
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            keys = sorted(npz.files)
            missing = [k for k in _NPZ_KEYS if k not in keys]
            if missing:
                raise ImageFileError(f"{path} lacks the array(s) {missing}; expected the keys "
                                     f"{list(_NPZ_KEYS)} of Keras' mnist.npz, received {keys}")
            arrays = {}
            for key in _NPZ_KEYS:
                try:
                    arrays[key] = npz[key]
                except ValueError as exc:
                    raise ImageFileError(
                        f"{path}: array {key!r} holds Python objects, which would have to be "
                        f"unpickled and are refused (allow_pickle=False); expected a plain "
                        f"uint8 array ({exc})") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImageFileError(f"{path} is not a readable .npz archive ({exc}); expected a "
                             "Keras mnist.npz") from None
    renamed = {f"{s}_{k}": arrays[f"{x}_{s}"] for s in ("train", "test")
               for k, x in (("images", "x"), ("labels", "y"))}
    counts = {s: renamed[f"{s}_images"].shape[0] if renamed[f"{s}_images"].ndim else 0
              for s in ("train", "test")}
    official = all(counts[s] == MNIST_SIZES[s] for s in counts)
    desc = f"{counts['train']} + {counts['test']} images"
    return renamed, [_Source(path, raw, desc, official)]


def _check_arrays(arrays: dict[str, np.ndarray], where: str) -> None:
    """Check dtypes, shapes, counts and label range of the four MNIST arrays."""
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        for what, arr, shape in (("images", images, "(n, 28, 28)"), ("labels", labels, "(n,)")):
            if arr.dtype != np.uint8:
                raise ImageFileError(f"{where}: {split} {what} must be uint8; received dtype "
                                     f"{arr.dtype}")
            ndim = 3 if what == "images" else 1
            if arr.ndim != ndim or (ndim == 3 and arr.shape[1:] != MNIST_SHAPE):
                raise ImageFileError(f"{where}: {split} {what} must have shape {shape}; "
                                     f"received shape {arr.shape}")
        if images.shape[0] != labels.shape[0]:
            raise ImageFileError(f"{where}: the {split} set has {images.shape[0]} images but "
                                 f"{labels.shape[0]} labels; expected one label per image")
        if images.shape[0] == 0:
            raise ImageFileError(f"{where}: the {split} set is empty; expected at least one "
                                 f"image")
        if labels.max() > 9:
            bad = int(np.argmax(labels > 9))
            raise ImageFileError(f"{where}: {split} labels must be digits 0-9; received "
                                 f"{int(labels[bad])} at index {bad}")


def _verify(sources: list[_Source], mode: str) -> tuple[bool, list[str]]:
    """Compare each file with its known digest -> (every file verified, notes).

    Raises ImageFileError on a mismatch of an official-sized file ("auto") or on any file
    that cannot be verified ("strict").
    """
    if mode == "off":
        return False, ["checksums not checked (verify='off')"]
    notes, all_ok = [], True
    for src in sources:
        name = src.path.name
        if name in KNOWN_SHA256:
            algo, expected = "SHA-256", KNOWN_SHA256[name]
            received = hashlib.sha256(src.raw).hexdigest()
        elif name in KNOWN_MD5:
            algo, expected = "MD5", KNOWN_MD5[name]
            received = hashlib.md5(src.raw, usedforsecurity=False).hexdigest()
        else:
            if mode == "strict":
                raise ImageFileError(
                    f"{src.path}: no known checksum for a file named {name!r}, so "
                    f"verify='strict' cannot accept it; expected one of "
                    f"{sorted(KNOWN_SHA256) + sorted(KNOWN_MD5)}")
            all_ok = False
            notes.append(f"{name}: no known checksum, not verified")
            continue
        if received == expected:
            notes.append(f"{name}: {algo} matches the official file")
            continue
        if mode == "strict" or src.official:
            raise ImageFileError(f"{src.path} fails its checksum: expected {algo} {expected}, "
                                 f"received {received}; the file is corrupt or not the "
                                 f"official one (verify='off' skips this check)")
        all_ok = False
        notes.append(f"{name}: {algo} differs from the official file, which it is not "
                     f"({src.count}), not verified")
    return all_ok, notes


def load_mnist(path: str | os.PathLike, verify: str = "auto",
               dtype: str | type | np.dtype = np.float32) -> ImageDataset:
    """MNIST from local files -> X (n, 28, 28, 1) in [0, 1] with its fixed test set attached.

    ``path`` is Keras' ``mnist.npz`` (arrays ``x_train, y_train, x_test, y_test``; read with
    ``allow_pickle=False``) or a directory holding ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``,
    each optionally gzipped (``.gz``, preferred when both forms are present). Nothing is
    downloaded. Checked: IDX magic numbers (2051 images, 2049 labels), header sizes against
    the bytes present, uint8 data, 28×28 images, one label per image, labels 0-9.

    ``verify``: "auto" compares each file with its known digest (:data:`KNOWN_SHA256`,
    :data:`KNOWN_MD5`, looked up by file name) and raises :class:`ImageFileError` on a
    mismatch when the file has the official size (60,000 or 10,000 images); "strict"
    requires every file to have a known, matching digest; "off" skips the check. The
    result's ``verified`` is True only when every file matched. ``dtype`` float32 (default:
    188 MB for the training images) or float64 (376 MB). Missing files raise
    FileNotFoundError; bad files raise ImageFileError.
    """
    if verify not in VERIFY_MODES:
        raise ValueError(f"verify must be one of {list(VERIFY_MODES)}; received {_show(verify)}")
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; received {dt}")
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file or directory path; received {_show(path)}")
    root = Path(path)
    if root.is_dir():
        arrays, sources = _load_idx_dir(root)
    elif root.is_file():
        arrays, sources = _load_npz(root)
    else:
        raise FileNotFoundError(
            f"no MNIST data at {root}: expected a Keras mnist.npz file or a directory holding "
            f"{', '.join(f'{b}[.gz]' for b in IDX_FILES.values())} (this loader never "
            f"downloads)")
    _check_arrays(arrays, str(root))
    verified, notes = _verify(sources, verify)

    def scale(images: np.ndarray) -> np.ndarray:
        out = np.empty((*images.shape, 1), dt)
        np.divide(images[..., None], dt.type(255.0), out=out)
        out.flags.writeable = False
        return out

    return ImageDataset(
        X=scale(arrays["train_images"]), labels=arrays["train_labels"],
        X_test=scale(arrays["test_images"]), labels_test=arrays["test_labels"],
        name="mnist", n_classes=10, class_names=_DIGIT_NAMES, verified=verified,
        provenance=f"{root}; " + "; ".join(notes))
