import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import sequences


def test_names():
    assert sequences.names() == ("sine", "parity", "count_ones", "next_char")


@pytest.mark.parametrize("name, x_shape, x_dtype, task, classes", [
    ("sine", (7, 5, 1), np.float64, "regression", None),
    ("parity", (7, 5, 1), np.float64, "binary", 2),
    ("count_ones", (7, 5, 1), np.float64, "multiclass", 6),
    ("next_char", (7, 5), np.int64, "multiclass", len(sequences.VOCAB)),
])
def test_shapes_dtypes_and_metadata(name, x_shape, x_dtype, task, classes):
    data = sequences.make(name, 7, 5, seed=3)
    assert data.X.shape == x_shape and data.X.dtype == x_dtype
    assert data.y.shape == (7, 1) and data.y.dtype == np.float64
    assert data.task == task and data.n_classes == classes and len(data) == 7
    assert data.output_units == (classes if task == "multiclass" else 1)
    assert not data.X.flags.writeable and not data.y.flags.writeable


@given(name=st.sampled_from(sequences.names()), n=st.integers(1, 30), T=st.integers(1, 12),
       seed=st.integers(0, 2**32), noise=st.floats(0.0, 0.5))
@settings(max_examples=40, deadline=None)
def test_same_seed_same_arrays(name, n, T, seed, noise):
    a = sequences.make(name, n, T, seed=seed, noise=noise)
    b = sequences.make(name, n, T, seed=seed, noise=noise)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)


def test_different_seeds_differ():
    a, b = (sequences.make("parity", 50, 8, seed=s) for s in (0, 1))
    assert not np.array_equal(a.X, b.X)


def test_noise_free_labels_follow_their_rules():
    parity = sequences.make("parity", 200, 6, seed=0)
    np.testing.assert_array_equal(parity.y[:, 0], parity.X[:, :, 0].sum(1) % 2)
    count = sequences.make("count_ones", 200, 6, seed=0)
    np.testing.assert_array_equal(count.y[:, 0], count.X[:, :, 0].sum(1))
    assert set(np.unique(parity.X)) == {0.0, 1.0}
    chars = sequences.make("next_char", 50, 8, seed=0)
    for x, y in zip(chars.X, chars.y[:, 0], strict=True):
        window = sequences.decode(x) + sequences.decode([y])
        assert window in sequences.TEXT


def test_sine_targets_continue_the_wave():
    data = sequences.make("sine", 100, 12, seed=0)
    x = data.X[:, :, 0]
    assert np.all(np.abs(x) <= 1.0) and np.all(np.abs(data.y) <= 1.0)
    # a pure sinusoid sampled evenly satisfies s[k+1] = 2 cos(ω dt) s[k] − s[k−1]
    two_cos = (x[:, 2] + x[:, 0]) / x[:, 1]
    np.testing.assert_allclose(data.y[:, 0], two_cos * x[:, -1] - x[:, -2], atol=1e-6,
                               rtol=1e-6)


def test_noise_meanings():
    clean = sequences.make("sine", 500, 10, seed=0)
    noisy = sequences.make("sine", 500, 10, seed=0, noise=0.2)
    np.testing.assert_array_equal(clean.y, noisy.y)  # targets stay clean
    assert 0.15 < np.std(noisy.X - clean.X) < 0.25
    flipped = sequences.make("parity", 4000, 5, seed=0, noise=0.3)
    wrong = np.mean(flipped.y[:, 0] != flipped.X[:, :, 0].sum(1) % 2)
    assert 0.27 < wrong < 0.33
    clean_chars = sequences.make("next_char", 2000, 5, seed=0)
    chars = sequences.make("next_char", 2000, 5, seed=0, noise=0.4)
    np.testing.assert_array_equal(chars.y, clean_chars.y)
    changed = np.mean(chars.X != clean_chars.X)  # a random draw may hit the same character
    assert abs(changed - 0.4 * (1 - 1 / len(sequences.VOCAB))) < 0.02


def test_encode_decode_round_trip():
    text = "mary had a little lamb"
    ids = sequences.encode(text)
    assert ids.dtype == np.int64 and sequences.decode(ids) == text
    assert sequences.VOCAB == "".join(sorted(set(sequences.TEXT)))


def test_split():
    data = sequences.make("count_ones", 10, 3, seed=0)
    X, y, Xt, yt = data.split(0.7, seed=1)
    assert X.shape == (7, 3, 1) and Xt.shape == (3, 3, 1) and y.shape == (7, 1)
    together = np.concatenate([X, Xt]).reshape(10, -1)
    assert sorted(map(tuple, together)) == sorted(map(tuple, data.X.reshape(10, -1)))


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "sinus"}, r"unknown sequence data set 'sinus' \(did you mean 'sine'\?\)"),
    ({"name": 3}, "unknown sequence data set 3"),
    ({"name": "sine", "n_samples": 0}, r"n_samples must be an integer in \[1, 100000\]; "
                                       "received 0"),
    ({"name": "sine", "n_samples": 2.5}, "n_samples must be an integer"),
    ({"name": "sine", "seq_len": 0}, r"seq_len must be an integer in \[1, 200\]; received 0"),
    ({"name": "sine", "seq_len": True}, "seq_len must be an integer"),
    ({"name": "sine", "noise": 0.6}, r"noise must be a number in \[0, 0.5\]; received 0.6"),
    ({"name": "sine", "noise": float("nan")}, "noise must be a number"),
    ({"name": "sine", "seed": -1}, "seed must be a non-negative integer; received -1"),
    ({"name": "sine", "n_samples": 100_000, "seq_len": 100}, "is too large"),
])
def test_bad_arguments_raise_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sequences.make(**kwargs)


@pytest.mark.parametrize("call, message", [
    (lambda: sequences.encode("MARY"), "not in the vocabulary"),
    (lambda: sequences.decode([0, 999]), "decode takes integer ids"),
    (lambda: sequences.make("sine", 4, 2).split(1.0), "strictly between 0 and 1"),
    (lambda: sequences.make("sine", 1, 2).split(0.5), "at least 2 samples"),
])
def test_helper_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_next_char_refuses_windows_longer_than_the_text(monkeypatch):
    monkeypatch.setattr(sequences, "TEXT", "mary had a lamb")
    assert sequences.make("next_char", 3, 14).X.shape == (3, 14)
    with pytest.raises(ValueError, match=r"next_char needs seq_len <= 14 \(the built-in text "
                                         r"has 15 characters\); received 15"):
        sequences.make("next_char", 3, 15)
