"""Tests for engine.images: the bundled digits, MNIST from fabricated local files, splits."""

import gzip
import hashlib
import re
import struct
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine import images as im

ROOT_NAMES = im.IDX_FILES  # role -> base file name


# --------------------------------------------------------------------------- fabricated files


def idx_images(arr: np.ndarray, magic: int = 2051, dims: tuple[int, ...] | None = None) -> bytes:
    n, h, w = arr.shape
    h_, w_ = (h, w) if dims is None else dims
    return struct.pack(">IIII", magic, n, h_, w_) + arr.astype(np.uint8).tobytes()


def idx_labels(arr: np.ndarray, magic: int = 2049) -> bytes:
    return struct.pack(">II", magic, arr.shape[0]) + arr.astype(np.uint8).tobytes()


def fake_mnist(n_train: int = 5, n_test: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_idx_dir(directory, arrays, gz=False, overrides=None):
    """Write the four IDX files (``overrides``: role -> raw bytes to write instead)."""
    directory.mkdir(parents=True, exist_ok=True)
    overrides = overrides or {}
    for role, base in ROOT_NAMES.items():
        raw = overrides.get(role)
        if raw is None:
            arr = arrays[role]
            raw = idx_images(arr) if role.endswith("images") else idx_labels(arr)
        if gz:
            (directory / f"{base}.gz").write_bytes(gzip.compress(raw, mtime=0))
        else:
            (directory / base).write_bytes(raw)
    return directory


def write_npz(path, arrays, **replace):
    data = {"x_train": arrays["train_images"], "y_train": arrays["train_labels"],
            "x_test": arrays["test_images"], "y_test": arrays["test_labels"]}
    data.update(replace)
    data = {k: v for k, v in data.items() if v is not None}
    np.savez(path, **data)
    return path


@pytest.fixture
def arrays():
    return fake_mnist()


# --------------------------------------------------------------------------- digits


@pytest.fixture(scope="module")
def digits():
    return im.load_digits()


def test_digits_shape_range_and_labels(digits):
    assert isinstance(digits, im.ImageDataset)
    assert digits.X.shape == (1797, 8, 8, 1) and digits.X.dtype == np.float64
    assert digits.X.min() == 0.0 and digits.X.max() == 1.0
    assert digits.labels.shape == (1797,) and digits.labels.dtype == np.int64
    assert set(np.unique(digits.labels)) == set(range(10))
    assert digits.n_classes == 10 and digits.class_names == tuple("0123456789")
    assert digits.image_shape == (8, 8, 1) and len(digits) == 1797
    assert not digits.has_test and digits.X_test is None and not digits.verified
    assert "digits" in repr(digits) and "scikit-learn" in digits.provenance
    # grey levels 0..16 divided by 16
    np.testing.assert_array_equal(np.unique(digits.X * 16), np.arange(17))


def test_digits_arrays_are_read_only(digits):
    with pytest.raises(ValueError, match="read-only"):
        digits.X[0, 0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        digits.labels[0] = 3
    with pytest.raises(AttributeError):
        digits.X = np.zeros(3)


def test_digits_split_is_stratified_deterministic_and_disjoint(digits):
    Xtr, ytr, Xte, yte = digits.split(0.8, seed=3)
    assert Xtr.shape == (1438, 8, 8, 1) and Xte.shape == (359, 8, 8, 1)
    assert ytr.dtype == np.int64 and Xtr.flags.writeable
    counts = np.bincount(digits.labels)
    # each class's share of the training part is within one sample of 80 %
    assert np.all(np.abs(np.bincount(ytr) - 0.8 * counts) <= 1)
    again = digits.split(0.8, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((Xtr, ytr, Xte, yte), again))
    assert not np.array_equal(digits.split(0.8, seed=4)[1], ytr)
    assert np.array_equal(np.sort(np.concatenate((ytr, yte))), np.sort(digits.labels))
    plain = digits.split(0.5, seed=0, stratify=False)
    order = np.random.default_rng(0).permutation(1797)  # a plain shuffle, as Dataset.split
    np.testing.assert_array_equal(plain[1], digits.labels[order[:898]])
    assert len(digits.split()[0]) == round(0.8 * 1797)  # default fraction


def test_flat_and_one_hot(digits):
    F = digits.flat()
    assert F.shape == (1797, 64) and np.shares_memory(F, digits.X)
    Y = digits.one_hot()
    assert Y.shape == (1797, 10) and np.array_equal(Y.argmax(axis=1), digits.labels)
    np.testing.assert_array_equal(digits.one_hot(np.array([2, 0])), np.eye(10)[[2, 0]])
    with pytest.raises(ValueError, match=r"\[0, 9\]; received values from 0 to 10"):
        digits.one_hot(np.array([0, 10]))
    with pytest.raises(ValueError, match="integer class ids"):
        digits.one_hot(np.array([0.5]))


def test_load_digits_without_sklearn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=re.escape("pip install scikit-learn")):
        im.load_digits()


def test_importing_the_engine_does_not_import_sklearn():
    code = "import engine, sys; assert 'sklearn' not in sys.modules, 'sklearn imported'"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(im.Path(eg.__file__).parents[1]))
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_small_cnn_reaches_90_percent_on_digits_after_one_epoch(digits, seed):
    L = eg.layers
    Xtr, ytr, Xte, yte = digits.split(0.8, seed=seed)
    Xtr, mean, std = eg.datasets.standardize(Xtr)
    Xte, _, _ = eg.datasets.standardize(Xte, mean, std)
    model = eg.Sequential([L.Conv2D(16, 3, padding="same", activation="relu"),
                           L.MaxPool2D(2), L.Flatten(), L.Dense(10, activation="softmax")],
                          input_shape=(8, 8, 1), seed=seed, dtype="float32")
    steps = -(-len(Xtr) // 8)
    opt = eg.optim.Adam(lr=0.01, schedule=eg.optim.schedules.Cosine(T_max=steps))
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(Xtr, ytr, epochs=1, batch_size=8)
    elapsed = time.perf_counter() - start
    accuracy = model.evaluate(Xte, yte)["accuracy"]
    assert accuracy >= 0.90, f"test accuracy {accuracy:.3f} after one epoch, expected >= 0.90"
    assert elapsed < 10.0


# --------------------------------------------------------------------------- split_indices


def test_split_indices_plain_and_errors():
    tr, te = im.split_indices(10, 0.7, seed=1)
    assert len(tr) == 7 and len(te) == 3 and tr.dtype == np.int64
    assert sorted(np.concatenate((tr, te)).tolist()) == list(range(10))
    assert len(im.split_indices(10, 0.001)[0]) == 1 and len(im.split_indices(10, 0.999)[1]) == 1
    with pytest.raises(ValueError, match=r"strictly between 0 and 1; received 1.0"):
        im.split_indices(10, 1.0)
    with pytest.raises(TypeError, match=r"train_fraction .*received '0.5'"):
        im.split_indices(10, "0.5")
    with pytest.raises(ValueError, match=r"seed must be a non-negative integer; received -1"):
        im.split_indices(10, 0.5, seed=-1)
    with pytest.raises(ValueError, match=r"at least 2 samples; received n=1"):
        im.split_indices(1, 0.5)
    with pytest.raises(ValueError, match=r"3 labels for n=10"):
        im.split_indices(10, 0.5, labels=np.zeros(3))


@settings(max_examples=60, deadline=None)
@given(labels=st.lists(st.integers(0, 4), min_size=2, max_size=80),
       frac=st.floats(0.01, 0.99), seed=st.integers(0, 10_000))
def test_property_stratified_split(labels, frac, seed):
    lab = np.array(labels)
    n = lab.size
    tr, te = im.split_indices(n, frac, seed, labels=lab)
    assert len(tr) == min(max(round(frac * n), 1), n - 1)
    assert sorted(np.concatenate((tr, te)).tolist()) == list(range(n))
    share = len(tr) / n
    for c in np.unique(lab):
        assert abs(np.sum(lab[tr] == c) - share * np.sum(lab == c)) < 1.0
    again = im.split_indices(n, frac, seed, labels=lab)
    assert np.array_equal(again[0], tr) and np.array_equal(again[1], te)


# --------------------------------------------------------------------------- ImageDataset


def test_image_dataset_validates_its_arrays():
    X = np.zeros((4, 2, 2, 1))
    labels = np.array([0, 1, 0, 1])
    ok = im.ImageDataset(X, labels, "toy", 2, ("a", "b"))
    assert len(ok) == 4 and ok.X is not X  # writable input copied
    with pytest.raises(ValueError, match=r"4-D array .*received shape \(4, 4\)"):
        im.ImageDataset(np.zeros((4, 4)), labels, "toy", 2, ("a", "b"))
    with pytest.raises(ValueError, match=r"float32 or float64 .*received dtype uint8"):
        im.ImageDataset(X.astype(np.uint8), labels, "toy", 2, ("a", "b"))
    with pytest.raises(ValueError, match=r"\[0, 1\]; received values from 0.0 to 2.0"):
        im.ImageDataset(X + np.array([0, 2.0]).reshape(1, 1, 2, 1), labels, "toy", 2, "ab")
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\] .*from 0 to 2"):
        im.ImageDataset(X, np.array([0, 1, 2, 0]), "toy", 2, ("a", "b"))
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\).*received shape \(3,\)"):
        im.ImageDataset(X, labels[:3], "toy", 2, ("a", "b"))
    with pytest.raises(ValueError, match=r"name each of the 2 classes; received 3 names"):
        im.ImageDataset(X, labels, "toy", 2, ("a", "b", "c"))
    with pytest.raises(ValueError, match="pass both or neither"):
        im.ImageDataset(X, labels, "toy", 2, ("a", "b"), X_test=X)
    with pytest.raises(ValueError, match=r"X_test must hold images like X"):
        im.ImageDataset(X, labels, "toy", 2, ("a", "b"), X_test=np.zeros((2, 3, 3, 1)),
                        labels_test=np.array([0, 1]))


# --------------------------------------------------------------------------- MNIST: good files


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_idx_directory(tmp_path, arrays, gz):
    d = im.load_mnist(write_idx_dir(tmp_path / "mnist", arrays, gz=gz))
    assert d.name == "mnist" and d.has_test
    assert d.X.shape == (5, 28, 28, 1) and d.X.dtype == np.float32
    assert d.X_test.shape == (3, 28, 28, 1) and d.labels_test.dtype == np.int64
    np.testing.assert_array_equal(d.X[..., 0], arrays["train_images"].astype(np.float32) / 255)
    np.testing.assert_array_equal(d.labels, arrays["train_labels"])
    np.testing.assert_array_equal(d.labels_test, arrays["test_labels"])
    assert not d.X.flags.writeable and not d.X_test.flags.writeable
    assert d.verified is False  # fabricated: not the official files
    note = "differs from the official file" if gz else "no known checksum"
    assert note in d.provenance


def test_load_mnist_from_npz_and_float64(tmp_path, arrays):
    path = write_npz(tmp_path / "mnist.npz", arrays)
    d = im.load_mnist(path, dtype="float64")
    assert d.X.dtype == np.float64 and d.X_test.dtype == np.float64
    np.testing.assert_array_equal(d.X_test[..., 0], arrays["test_images"] / 255.0)
    np.testing.assert_array_equal(d.labels, arrays["train_labels"])
    assert im.load_mnist(str(path)).X.dtype == np.float32  # str paths too


def test_gz_preferred_when_both_forms_exist(tmp_path, arrays):
    directory = write_idx_dir(tmp_path, arrays, gz=True)
    write_idx_dir(directory, fake_mnist(seed=9))  # different plain files alongside
    d = im.load_mnist(directory)
    np.testing.assert_array_equal(d.labels, arrays["train_labels"])


def test_split_uses_the_fixed_test_set(tmp_path, arrays):
    d = im.load_mnist(write_npz(tmp_path / "m.npz", arrays))
    Xtr, ytr, Xte, yte = d.split()
    assert Xtr is d.X and Xte is d.X_test and yte is d.labels_test
    with pytest.raises(ValueError, match=r"fixed test set \(3 images\).*received "
                                         r"train_fraction=0.5"):
        d.split(0.5)


# --------------------------------------------------------------------------- MNIST: checksums


def official_sizes(monkeypatch, n_train=5, n_test=3):
    """Make the fabricated files count as official-sized."""
    monkeypatch.setattr(im, "MNIST_SIZES", {"train": n_train, "test": n_test})


def test_verify_auto_accepts_a_matching_digest(tmp_path, arrays, monkeypatch):
    path = write_npz(tmp_path / "mnist.npz", arrays)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setitem(im.KNOWN_SHA256, "mnist.npz", digest)
    d = im.load_mnist(path)
    assert d.verified is True and "SHA-256 matches" in d.provenance
    assert im.load_mnist(path, verify="strict").verified is True
    off = im.load_mnist(path, verify="off")
    assert off.verified is False and "verify='off'" in off.provenance


def test_verify_gz_md5_all_four_match(tmp_path, arrays, monkeypatch):
    directory = write_idx_dir(tmp_path, arrays, gz=True)
    for base in ROOT_NAMES.values():
        raw = (directory / f"{base}.gz").read_bytes()
        monkeypatch.setitem(im.KNOWN_MD5, f"{base}.gz", hashlib.md5(raw).hexdigest())
    assert im.load_mnist(directory, verify="strict").verified is True


def test_verify_auto_raises_on_official_sized_mismatch(tmp_path, arrays, monkeypatch):
    official_sizes(monkeypatch)
    path = write_npz(tmp_path / "mnist.npz", arrays)
    received = hashlib.sha256(path.read_bytes()).hexdigest()
    expected = im.KNOWN_SHA256["mnist.npz"]
    with pytest.raises(im.ImageFileError, match=rf"expected SHA-256 {expected}, received "
                                                rf"{received}"):
        im.load_mnist(path)
    assert im.load_mnist(path, verify="off").X.shape[0] == 5


def test_verify_auto_md5_mismatch_names_the_file(tmp_path, arrays, monkeypatch):
    official_sizes(monkeypatch)
    directory = write_idx_dir(tmp_path, arrays, gz=True)
    with pytest.raises(im.ImageFileError,
                       match=r"train-images-idx3-ubyte.gz fails its checksum: expected MD5 "
                             r"f68b3c2dcbeaaa9fbdd348bbdeb94873, received [0-9a-f]{32}"):
        im.load_mnist(directory)


def test_verify_auto_tolerates_a_non_official_file(tmp_path, arrays):
    d = im.load_mnist(write_npz(tmp_path / "mnist.npz", arrays))
    assert d.verified is False
    assert "SHA-256 differs from the official file" in d.provenance and "5 + 3" in d.provenance


def test_verify_strict_refuses_unknown_or_mismatched_files(tmp_path, arrays):
    plain = write_idx_dir(tmp_path / "plain", arrays)
    with pytest.raises(im.ImageFileError, match=r"no known checksum for a file named "
                                                r"'train-images-idx3-ubyte'"):
        im.load_mnist(plain, verify="strict")
    other = write_npz(tmp_path / "digits.npz", arrays)
    with pytest.raises(im.ImageFileError, match="no known checksum .*'digits.npz'.*mnist.npz"):
        im.load_mnist(other, verify="strict")
    with pytest.raises(im.ImageFileError, match="fails its checksum"):
        im.load_mnist(write_npz(tmp_path / "mnist.npz", arrays), verify="strict")


def test_known_digest_tables():
    assert im.KNOWN_SHA256["mnist.npz"] == ("731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc"
                                            "48468fc17b673d1")
    assert set(im.KNOWN_MD5) == {f"{b}.gz" for b in ROOT_NAMES.values()}
    assert all(re.fullmatch(r"[0-9a-f]{32}", v) for v in im.KNOWN_MD5.values())


# --------------------------------------------------------------------------- MNIST: bad files


def test_missing_path_names_what_was_expected(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no MNIST data at .*nowhere: expected a Keras "
                                                r"mnist.npz .*train-images-idx3-ubyte\[.gz\]"):
        im.load_mnist(tmp_path / "nowhere")


def test_directory_missing_files_lists_them(tmp_path, arrays):
    directory = write_idx_dir(tmp_path, arrays)
    (directory / "t10k-labels-idx1-ubyte").unlink()
    (directory / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError,
                       match=r"missing t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; expected "
                             r"all four of train-images-idx3-ubyte\[.gz\]"):
        im.load_mnist(directory)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="missing train-images"):
        im.load_mnist(tmp_path / "empty")


@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic_numbers(tmp_path, arrays, gz):
    swapped = idx_images(arrays["train_images"], magic=2049)
    with pytest.raises(im.ImageFileError, match=r"not an IDX images file: expected magic number "
                                                r"2051, received 2049 \(that of a labels file\)"):
        im.load_mnist(write_idx_dir(tmp_path / "a", arrays, gz, {"train_images": swapped}))
    junk = idx_labels(arrays["test_labels"], magic=1234)
    with pytest.raises(im.ImageFileError, match=r"expected magic number 2049, received 1234"):
        im.load_mnist(write_idx_dir(tmp_path / "b", arrays, gz, {"test_labels": junk}))


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_idx_file(tmp_path, arrays, gz):
    raw = idx_images(arrays["train_images"])  # 16 + 5 * 784 = 3936 bytes
    cut = raw[:-100]
    with pytest.raises(im.ImageFileError, match=r"truncated: its header announces 3936 bytes "
                                                r"\(5 images\), received 3836 bytes"):
        im.load_mnist(write_idx_dir(tmp_path / "a", arrays, gz, {"train_images": cut}))
    with pytest.raises(im.ImageFileError, match=r"header needs 8 bytes, received 5"):
        im.load_mnist(write_idx_dir(tmp_path / "b", arrays, gz, {"test_labels": b"\0\0\x08\x01\0"}))


@pytest.mark.parametrize("gz", [False, True])
def test_idx_file_longer_than_its_header(tmp_path, arrays, gz):
    raw = idx_labels(arrays["train_labels"]) + b"\x01\x02"
    pattern = (r"longer than its header says: expected 13 bytes after decompression, received "
               r"more" if gz else r"longer than its header says: expected 13 bytes, received 15")
    with pytest.raises(im.ImageFileError, match=pattern):
        im.load_mnist(write_idx_dir(tmp_path, arrays, gz, {"train_labels": raw}))


def test_truncated_and_corrupt_gzip_streams(tmp_path, arrays):
    directory = write_idx_dir(tmp_path, arrays, gz=True)
    target = directory / "train-labels-idx1-ubyte.gz"
    whole = target.read_bytes()
    target.write_bytes(whole[:-6])  # data complete, CRC trailer cut
    with pytest.raises(im.ImageFileError, match=r"gzip stream is truncated"):
        im.load_mnist(directory)
    target.write_bytes(b"not gzip at all")
    with pytest.raises(im.ImageFileError, match=r"not a valid gzip file .*expected a gzipped "
                                                r"IDX file"):
        im.load_mnist(directory)
    target.write_bytes(whole[:-8] + b"\0\0\0\0" + whole[-4:])  # wrong CRC
    with pytest.raises(im.ImageFileError, match=r"not a valid gzip file"):
        im.load_mnist(directory)


def test_image_dims_must_be_28_by_28(tmp_path, arrays):
    raw = idx_images(arrays["train_images"], dims=(27, 28))
    with pytest.raises(im.ImageFileError, match=r"holds 27×28 images; expected MNIST's 28×28"):
        im.load_mnist(write_idx_dir(tmp_path, arrays, overrides={"train_images": raw}))


def test_label_count_must_match_image_count(tmp_path, arrays):
    raw = idx_labels(arrays["train_labels"][:4])
    with pytest.raises(im.ImageFileError, match=r"the train set has 5 images but 4 labels; "
                                                r"expected one label per image"):
        im.load_mnist(write_idx_dir(tmp_path, arrays, overrides={"train_labels": raw}))


def test_labels_must_be_digits(tmp_path, arrays):
    labels = arrays["test_labels"].copy()
    labels[2] = 11
    with pytest.raises(im.ImageFileError, match=r"test labels must be digits 0-9; received 11 "
                                                r"at index 2"):
        im.load_mnist(write_idx_dir(tmp_path, arrays, overrides={"test_labels":
                                                                 idx_labels(labels)}))
    with pytest.raises(im.ImageFileError, match=r"received 11 at index 2"):
        im.load_mnist(write_npz(tmp_path / "m.npz", arrays, y_test=labels))


def test_npz_missing_key(tmp_path, arrays):
    path = write_npz(tmp_path / "m.npz", arrays, y_test=None)
    with pytest.raises(im.ImageFileError, match=r"lacks the array\(s\) \['y_test'\]; expected the "
                                                r"keys \['x_train', 'y_train', 'x_test', 'y_test'\]"
                                                r".*received \['x_test', 'x_train', 'y_train'\]"):
        im.load_mnist(path)


def test_npz_object_array_is_refused(tmp_path, arrays):
    objects = np.array([{"label": 1}] * 5, dtype=object)
    path = write_npz(tmp_path / "m.npz", arrays, y_train=objects)
    with pytest.raises(im.ImageFileError, match=r"array 'y_train' holds Python objects.*refused "
                                                r"\(allow_pickle=False\)"):
        im.load_mnist(path)


@pytest.mark.parametrize("content", [b"hello, this is text", np.zeros(3).tobytes(), b""])
def test_non_npz_file(tmp_path, content):
    path = tmp_path / "mnist.npz"
    path.write_bytes(content)
    with pytest.raises(im.ImageFileError, match=r"is not an .npz archive \(it starts with .*\); "
                                                r"expected a Keras mnist.npz"):
        im.load_mnist(path)


def test_npy_file_and_broken_zip(tmp_path, arrays):
    npy = tmp_path / "x.npy"
    np.save(npy, arrays["train_images"])
    with pytest.raises(im.ImageFileError, match="not an .npz archive"):
        im.load_mnist(npy)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(im.ImageFileError, match=r"not a readable .npz archive"):
        im.load_mnist(broken)


@pytest.mark.parametrize(
    "replace, pattern",
    [
        ({"x_train": np.zeros((5, 28, 28), np.uint16)},
         r"train images must be uint8; received dtype uint16"),
        ({"y_test": np.zeros(3, np.int64)}, r"test labels must be uint8; received dtype int64"),
        ({"x_test": np.zeros((3, 784), np.uint8)},
         r"test images must have shape \(n, 28, 28\); received shape \(3, 784\)"),
        ({"x_train": np.zeros((5, 28, 27), np.uint8)}, r"received shape \(5, 28, 27\)"),
        ({"y_train": np.zeros((5, 1), np.uint8)},
         r"train labels must have shape \(n,\); received shape \(5, 1\)"),
        ({"x_test": np.zeros((0, 28, 28), np.uint8), "y_test": np.zeros(0, np.uint8)},
         r"the test set is empty"),
    ],
)
def test_npz_bad_arrays(tmp_path, arrays, replace, pattern):
    with pytest.raises(im.ImageFileError, match=pattern):
        im.load_mnist(write_npz(tmp_path / "m.npz", arrays, **replace))


def test_bad_arguments(tmp_path, arrays):
    path = write_npz(tmp_path / "m.npz", arrays)
    with pytest.raises(ValueError, match=r"verify must be one of \['auto', 'strict', 'off'\]; "
                                         r"received 'yes'"):
        im.load_mnist(path, verify="yes")
    with pytest.raises(ValueError, match=r"float32 or float64; received int32"):
        im.load_mnist(path, dtype="int32")
    with pytest.raises(TypeError, match=r"file or directory path; received 42"):
        im.load_mnist(42)


@settings(max_examples=15, deadline=None)
@given(n_train=st.integers(1, 6), n_test=st.integers(1, 4), seed=st.integers(0, 1000),
       gz=st.booleans())
def test_property_idx_round_trip(tmp_path_factory, n_train, n_test, seed, gz):
    arrays = fake_mnist(n_train, n_test, seed)
    directory = write_idx_dir(tmp_path_factory.mktemp("idx"), arrays, gz=gz)
    d = im.load_mnist(directory, dtype="float64")
    np.testing.assert_array_equal(np.rint(d.X[..., 0] * 255), arrays["train_images"])
    np.testing.assert_array_equal(np.rint(d.X_test[..., 0] * 255), arrays["test_images"])
    np.testing.assert_array_equal(d.labels_test, arrays["test_labels"])
