"""Tests for engine.tables: CSV tables checked cell by cell, task inference, splits."""

import csv
import io
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as eg
from engine import tables as tb

IRIS_LIKE = b"""sepal,petal,species
5.1,1.4,setosa
7.0,4.7,versicolor
6.3,6.0,virginica
4.9,1.4,setosa
6.4,4.5,versicolor
5.8,5.1,virginica
"""


# --------------------------------------------------------------------------- good files


def test_numeric_classification_target_is_mapped_to_ids():
    d = tb.load_csv(b"a,b,label\n1,2,7\n3,4,3\n5,6,5\n7,8,3\n")
    assert isinstance(d, tb.TableDataset)
    assert d.task == "classification" and d.n_classes == 3
    assert d.class_names == ("3", "5", "7")
    np.testing.assert_array_equal(d.y, [2, 0, 1, 0])
    assert d.y.dtype == np.int64 and d.X.dtype == np.float64
    np.testing.assert_array_equal(d.X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert d.feature_names == ("a", "b") and d.target_name == "label"
    assert d.dropped_rows == 0 and dict(d.missing) == {} and len(d) == 4
    assert d.name == "table" and "classification" in repr(d)


def test_whole_floats_count_as_classes_and_20_is_the_limit():
    d = tb.load_csv(b"x,y\n1,0.0\n2,1.0\n3,1.0\n")
    assert d.task == "classification" and d.class_names == ("0", "1")
    rows20 = "\n".join(f"{i},{i}" for i in range(20)).encode()
    rows21 = "\n".join(f"{i},{i}" for i in range(21)).encode()
    assert tb.load_csv(b"x,y\n" + rows20).task == "classification"
    assert tb.load_csv(b"x,y\n" + rows21).task == "regression"


def test_regression_target_keeps_values():
    d = tb.load_csv(b"x1,x2,price\n1,2,0.5\n3,4,1.25\n5,6,-2e3\n")
    assert d.task == "regression" and d.n_classes is None and d.class_names == ()
    np.testing.assert_array_equal(d.y, [0.5, 1.25, -2000.0])
    assert d.y.dtype == np.float64


def test_text_target_is_classification_with_sorted_names():
    d = tb.load_csv(IRIS_LIKE)
    assert d.task == "classification" and d.class_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(d.y, [0, 1, 2, 0, 1, 2])
    np.testing.assert_array_equal(d.one_hot().argmax(axis=1), d.y)


def test_target_by_name_and_index():
    data = b"a,b,c\n1,2,3\n4,5,6\n7,8,9\n"
    for target in ("a", 0, -3):
        d = tb.load_csv(data, target=target)
        assert d.target_name == "a" and d.feature_names == ("b", "c")
        np.testing.assert_array_equal(d.X, [[2, 3], [5, 6], [8, 9]])
    assert tb.load_csv(data, target=1).feature_names == ("a", "c")
    assert tb.load_csv(data).target_name == "c"  # default: the last column


def test_task_can_be_forced():
    data = b"x,y\n1,1\n2,2\n3,3\n"
    assert tb.load_csv(data).task == "classification"
    r = tb.load_csv(data, task="regression")
    assert r.task == "regression" and r.y.dtype == np.float64
    c = tb.load_csv(b"x,y\n1,0.5\n2,1.5\n3,0.5\n", task="classification")
    assert c.class_names == ("0.5", "1.5") and c.y.tolist() == [0, 1, 0]


def test_sources_path_bytes_and_binary_files(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_bytes(IRIS_LIKE)
    from_path = tb.load_csv(path)
    assert from_path.name == "iris"
    for source in (str(path), IRIS_LIKE, bytearray(IRIS_LIKE), memoryview(IRIS_LIKE),
                   io.BytesIO(IRIS_LIKE)):
        d = tb.load_csv(source)
        np.testing.assert_array_equal(d.X, from_path.X)
        np.testing.assert_array_equal(d.y, from_path.y)
    with path.open("rb") as fh:
        assert tb.load_csv(fh).name == "iris"


def test_format_details_bom_crlf_quotes_blank_lines_spaces():
    data = '\ufeff"a", b ,y\r\n\r\n"1.5", 2 ,0\r\n\r\n3,4e-1,1\r\n'.encode()
    d = tb.load_csv(data)
    assert d.feature_names == ("a", "b")
    np.testing.assert_array_equal(d.X, [[1.5, 2.0], [3.0, 0.4]])
    semi = tb.load_csv(b"a;b;y\n1;2;0\n3;4;1\n", delimiter=";")
    assert semi.X.shape == (2, 2)


def test_arrays_are_read_only_copies():
    d = tb.load_csv(IRIS_LIKE)
    with pytest.raises(ValueError, match="read-only"):
        d.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        d.y[0] = 1
    with pytest.raises(TypeError):
        d.missing["x"] = 1  # a read-only mapping


# --------------------------------------------------------------------------- missing values


MISSING_CSV = b"""a,b,y
1,2,0
,4,1
5,nan,0
7,8,NA
9,N/A,1
11,12,1
13,14,0
"""


def test_missing_values_are_reported_per_column_with_lines():
    with pytest.raises(tb.TableFileError) as info:
        tb.load_csv(MISSING_CSV)
    message = str(info.value)
    assert "has 4 missing value(s)" in message and "in 4 row(s)" in message
    assert "'a': 1 (line 3)" in message
    assert "'b': 2 (lines 4, 6)" in message
    assert "'y': 1 (line 5)" in message
    assert "nan='drop'" in message


def test_missing_rows_dropped_on_request():
    d = tb.load_csv(MISSING_CSV, nan="drop")
    assert d.dropped_rows == 4 and len(d) == 3
    assert dict(d.missing) == {"a": 1, "b": 2, "y": 1}
    np.testing.assert_array_equal(d.X, [[1, 2], [11, 12], [13, 14]])
    np.testing.assert_array_equal(d.y, [0, 1, 0])
    assert "4 rows dropped" in repr(d)


def test_many_missing_lines_are_abbreviated():
    rows = "\n".join(f"{i}," for i in range(9))
    with pytest.raises(tb.TableFileError, match=re.escape("'y': 9 (lines 2, 3, 4, 5, 6, ...)")):
        tb.load_csv(("x,y\n" + rows + "\n").encode())


def test_every_row_missing_leaves_nothing():
    with pytest.raises(tb.TableFileError, match=r"every one of its 2 data rows has a missing "
                                                r"value"):
        tb.load_csv(b"x,y\n1,\n,0\n", nan="drop")


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    "data, pattern",
    [
        (b"", r"is empty; expected a header row and at least one data row"),
        (b"\n\n", r"is empty"),
        (b"a,b,y\n", r"has a header \(a, b, y\) but no data rows; expected at least one"),
        (b"y\n1\n2\n", r"has a single column \('y'\); expected at least two"),
        (b"a,b,y\n1,2,3\n4,5\n", r"line 3: 2 field\(s\); expected 3, one per header column "
                                 r"\(a, b, y\)"),
        (b"a,b,y\n1,2,3,4\n", r"line 2: 4 field\(s\); expected 3"),
        (b"1,2,3\n4,5,6\n", r"line 1: the first row looks like data \(all numbers: 1, 2, 3\); "
                            r"expected a header row"),
        (b"a,a,y\n1,2,3\n", r"column name 'a' appears twice; expected unique column names"),
        (b"a,,y\n1,2,3\n", r"header column\(s\) \[2\] have no name"),
        (b'a,b,y\n1,"2,3\n', r"line 2: malformed CSV"),
    ],
)
def test_malformed_files(data, pattern):
    with pytest.raises(tb.TableFileError, match=pattern):
        tb.load_csv(data)


@pytest.mark.parametrize("cell", ["abc", "1,5", "inf", "-Infinity", "1_000", "0x10", "1e999",
                                  "12%"])
def test_non_numeric_feature_cell_names_line_column_and_value(cell):
    data = io.StringIO()
    csv.writer(data).writerows([["x", "weight", "y"], [1, 2, 0], [3, cell, 1], [5, 6, 0]])
    with pytest.raises(tb.TableFileError,
                       match=rf"line 3, column 'weight': {re.escape(repr(cell))} is not a finite "
                             rf"number; expected numbers in every feature column"):
        tb.load_csv(data.getvalue().encode())


def test_non_utf8_file_names_the_byte_and_line(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,y\n1,0\ncafé,1\n".encode("latin-1"))
    with pytest.raises(tb.TableFileError, match=r"latin.csv is not UTF-8 text: byte 0xe9 at "
                                                r"line 3 \(byte offset 14\).*expected a UTF-8 CSV"):
        tb.load_csv(path)
    with pytest.raises(tb.TableFileError, match=r"byte 0xff at line 2 \(byte offset 7\)"):
        tb.load_csv(b"\xef\xbb\xbfa,b\n\xff,1\n")  # offsets count the byte-order mark


def test_size_is_checked_before_parsing(tmp_path):
    big = b"\xff" * 2_000  # not even UTF-8: the size must be the complaint
    path = tmp_path / "big.csv"
    path.write_bytes(big)
    pattern = r"is 2,000 bytes; the cap is max_bytes=1,000 bytes"
    for source in (path, big, io.BytesIO(big)):
        with pytest.raises(tb.TableFileError, match=pattern):
            tb.load_csv(source, max_bytes=1_000)


def test_size_cap_for_a_non_seekable_stream():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def read(self, size=-1):
            return self._data.read(size)

    with pytest.raises(tb.TableFileError, match=r"is more than 100 bytes; the cap is "
                                                r"max_bytes=100"):
        tb.load_csv(Pipe(b"x,y\n" + b"1,2\n" * 50), max_bytes=100)
    assert len(tb.load_csv(Pipe(b"x,y\n1,2\n3,4\n"))) == 2


def test_row_cap():
    rows = b"x,y\n" + b"1,0\n2,1\n" * 6
    assert len(tb.load_csv(rows, max_rows=12)) == 12
    with pytest.raises(tb.TableFileError, match=r"more than 11 data rows \(line 13\); the cap is "
                                                r"max_rows=11"):
        tb.load_csv(rows, max_rows=11)


def test_target_problems():
    data = b"alpha,beta,y\n1,2,0\n3,4,1\n"
    with pytest.raises(ValueError, match=r"target 'alpah' is not a column of the CSV data "
                                         r"\(did you mean 'alpha'\?\); expected one of"):
        tb.load_csv(data, target="alpah")
    with pytest.raises(ValueError, match=r"\[-3, 2\] for 3 columns; received 3"):
        tb.load_csv(data, target=3)
    with pytest.raises(TypeError, match=r"column name, a column index or None.*received True"):
        tb.load_csv(data, target=True)
    with pytest.raises(tb.TableFileError, match=r"target column 'y' holds the single class '1'"):
        tb.load_csv(b"x,y\n1,1\n2,1\n")
    with pytest.raises(tb.TableFileError, match=r"holds the single value '2.5' in every row"):
        tb.load_csv(b"x,y\n1,2.5\n2,2.5\n", task="regression")
    with pytest.raises(tb.TableFileError, match=r"line 3, column 'species': 'setosa' is not a "
                                                r"finite number; expected numbers for a "
                                                r"regression target"):
        tb.load_csv(b"x,species\n1,2\n2,setosa\n", task="regression")
    ids = "\n".join(f"{i},id{i}" for i in range(101)).encode()
    with pytest.raises(tb.TableFileError, match=r"101 distinct classes; expected at most 100"):
        tb.load_csv(b"x,name\n" + ids)


def test_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no CSV file at .*nope.csv"):
        tb.load_csv(tmp_path / "nope.csv")
    with pytest.raises(TypeError, match=r"looks like CSV text.*text.encode"):
        tb.load_csv("x,y\n1,2\n")
    with pytest.raises(TypeError, match=r"text stream; open the file in binary mode"):
        tb.load_csv(io.StringIO("x,y\n1,2\n"))
    with pytest.raises(TypeError, match=r"path, bytes or a binary file object; received 42"):
        tb.load_csv(42)
    with pytest.raises(ValueError, match=r"max_bytes must be a positive integer; received 0"):
        tb.load_csv(IRIS_LIKE, max_bytes=0)
    with pytest.raises(ValueError, match=r"max_rows must be a positive integer; received 2.5"):
        tb.load_csv(IRIS_LIKE, max_rows=2.5)
    with pytest.raises(ValueError, match=r"nan must be one of \['raise', 'drop'\]; received "
                                         r"'fill'"):
        tb.load_csv(IRIS_LIKE, nan="fill")
    with pytest.raises(ValueError, match=r"task must be one of .*received 'images'"):
        tb.load_csv(IRIS_LIKE, task="images")
    with pytest.raises(ValueError, match=r"delimiter must be one character .*received ';;'"):
        tb.load_csv(IRIS_LIKE, delimiter=";;")


def test_table_dataset_validates_its_fields():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\).*received shape \(2,\)"):
        tb.TableDataset(X, np.zeros(2), ("a", "b"), "y", "regression")
    with pytest.raises(ValueError, match=r"name the 2 columns of X; received 1 names"):
        tb.TableDataset(X, np.zeros(3), ("a",), "y", "regression")
    with pytest.raises(ValueError, match=r"integer ids in \[0, 1\]"):
        tb.TableDataset(X, np.array([0, 1, 2]), ("a", "b"), "y", "classification", 2,
                        ("p", "q"))
    with pytest.raises(ValueError, match=r"n_classes must be None"):
        tb.TableDataset(X, np.zeros(3), ("a", "b"), "y", "regression", 2)
    with pytest.raises(ValueError, match=r"task must be one of .*received 'other'"):
        tb.TableDataset(X, np.zeros(3), ("a", "b"), "y", "other")
    with pytest.raises(ValueError, match=r"finite numbers"):
        tb.TableDataset(np.full((3, 2), np.nan), np.zeros(3), ("a", "b"), "y", "regression")


# --------------------------------------------------------------------------- split, training


def test_split_stratified_for_classification_and_plain_for_regression():
    rng = np.random.default_rng(0)
    rows = [f"{a:.6f},{b:.6f},{int(c)}" for a, b, c in
            zip(rng.normal(size=90), rng.normal(size=90), np.repeat([0, 1, 2], 30))]
    d = tb.load_csv(("a,b,cls\n" + "\n".join(rows)).encode())
    Xtr, ytr, Xte, yte = d.split(0.8, seed=1)
    assert Xtr.shape == (72, 2) and Xte.shape == (18, 2)
    assert np.bincount(ytr).tolist() == [24, 24, 24] and Xtr.flags.writeable
    again = d.split(0.8, seed=1)
    assert np.array_equal(again[0], Xtr) and np.array_equal(again[3], yte)
    r = tb.load_csv(b"x,t\n1,0.1\n2,0.2\n3,0.3\n4,0.4\n")
    assert len(r.split(0.5)[0]) == 2
    with pytest.raises(ValueError, match="stratify=True needs a classification table"):
        r.split(0.5, stratify=True)
    with pytest.raises(ValueError, match=r"one_hot needs a classification table"):
        r.one_hot()


def test_a_loaded_table_trains():
    rng = np.random.default_rng(3)
    centres = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    labels = np.repeat(["north", "south", "east"], 60)
    points = centres[np.repeat([0, 1, 2], 60)] + rng.normal(0.0, 0.7, (180, 2))
    lines = [f"{float(x1)!r},{float(x2)!r},{c}" for (x1, x2), c in zip(points, labels)]
    text = "x1,x2,region\n" + "\n".join(lines)
    d = tb.load_csv(text.encode())
    Xtr, ytr, Xte, yte = d.split(0.75, seed=0)
    model = eg.Sequential([eg.layers.Dense(16, activation="tanh"),
                           eg.layers.Dense(d.n_classes, activation="softmax")],
                          input_shape=(2,), seed=0)
    model.compile(optimizer=eg.optim.Adam(lr=0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(Xtr, ytr, epochs=30, batch_size=16)
    assert model.evaluate(Xte, yte)["accuracy"] >= 0.9


# --------------------------------------------------------------------------- properties


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.lists(finite, min_size=3, max_size=3), min_size=1, max_size=20),
       target=st.lists(st.integers(0, 3), min_size=20, max_size=20))
def test_property_numbers_round_trip_exactly(values, target):
    n = len(values)
    t = target[:n]
    if len(set(t)) < 2:
        t = [i % 2 for i in range(n)] if n >= 2 else t
    if len(set(t)) < 2:
        return  # one row cannot hold two classes
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["f1", "f2", "f3", "y"])
    for row, label in zip(values, t):
        writer.writerow([repr(v) for v in row] + [label])
    d = tb.load_csv(out.getvalue().encode())
    np.testing.assert_array_equal(d.X, np.array(values, dtype=np.float64))
    classes = sorted(set(t))
    np.testing.assert_array_equal(d.y, [classes.index(v) for v in t])
    assert d.class_names == tuple(str(c) for c in classes)
