import io
import zipfile

import numpy as np
import pytest

import engine as eg
from engine.io import ExperimentFileError

L = eg.layers


def trained(opt=None, steps=20):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), (rng.random((40, 1)) > 0.5) * 1.0
    m = eg.Sequential([L.Dense(5, activation="relu"), L.Dropout(0.1),
                       L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=1)
    m.compile(optimizer=opt or eg.optim.Adam(lr=0.01, amsgrad=True), loss="binary_crossentropy",
              metrics=["accuracy"], l2=0.001)
    m.fit(X, y, epochs=steps // 4, batch_size=10)
    return m, X, y


def test_round_trip_is_bit_for_bit_and_training_continues_identically(tmp_path):
    m, X, y = trained()
    path = tmp_path / "exp.npz"
    eg.io.save(path, m, extra={"dataset": "spiral", "noise": 0.1})
    exp = eg.io.load(path)
    np.testing.assert_array_equal(exp.model.params, m.params)
    assert exp.model.params.dtype == m.params.dtype
    assert exp.extra == {"dataset": "spiral", "noise": 0.1}
    assert exp.model.get_config() == m.get_config()
    assert exp.optimizer.state_dict()["hyper"] == m.optimizer.state_dict()["hyper"]
    for k, v in m.optimizer.state.items():
        np.testing.assert_array_equal(exp.optimizer.state[k], v)
    assert exp.model.loss.name == m.loss.name and exp.model.l2 == m.l2
    # both continue the same way (same data order, same dropout stream after reload)
    a, b = m.copy(), exp.model
    b.layers[1].rng.bit_generator.state = a.layers[1].rng.bit_generator.state
    a.fit(X, y, epochs=2, batch_size=10, shuffle=False)
    b.fit(X, y, epochs=2, batch_size=10, shuffle=False)
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("data, message", [
    (b"", "expected a .npz archive"),
    (b"hello world", "expected a .npz archive"),
    (b"PK\x03\x04garbage", "damaged or not an experiment"),
])
def test_corrupt_files_give_clear_errors(data, message):
    with pytest.raises(ExperimentFileError, match=message):
        eg.io.from_bytes(data)


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_archives_that_are_not_experiments():
    with pytest.raises(ExperimentFileError, match="expected '__config__' and 'params'"):
        eg.io.from_bytes(npz_bytes(a=np.zeros(3)))
    bad_json = np.frombuffer(b"{not json", dtype=np.uint8)
    with pytest.raises(ExperimentFileError, match="not valid JSON"):
        eg.io.from_bytes(npz_bytes(__config__=bad_json, params=np.zeros(3)))
    other = np.frombuffer(b'{"format": "something-else"}', dtype=np.uint8)
    with pytest.raises(ExperimentFileError, match="expected format 'dl-playground-experiment'"):
        eg.io.from_bytes(npz_bytes(__config__=other, params=np.zeros(3)))


def test_pickled_object_arrays_are_never_loaded():
    m, _, _ = trained()
    good = eg.io.to_bytes(m)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    evil = io.BytesIO()
    np.save(evil, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    entries["params.npy"] = evil.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in entries.items():
            z.writestr(n, d)
    with pytest.raises(ExperimentFileError, match="damaged or not an experiment"):
        eg.io.from_bytes(out.getvalue())


def test_parameter_count_mismatch_is_reported():
    m, _, _ = trained()
    data = eg.io.to_bytes(m)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    short = io.BytesIO()
    np.save(short, m.params[:-1])
    entries["params.npy"] = short.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in entries.items():
            z.writestr(n, d)
    with pytest.raises(ExperimentFileError, match=r"holds \(\d+,\) parameters but its network "
                                                  r"needs"):
        eg.io.from_bytes(out.getvalue())


def test_loading_into_a_mismatched_model_changes_nothing():
    m, _, _ = trained()
    data = eg.io.to_bytes(m)
    other = eg.Sequential([L.Dense(7, activation="relu"), L.Dense(1, activation="sigmoid")],
                          input_shape=(2,), seed=3)
    other.compile(optimizer="adam", loss="binary_crossentropy")
    before = other.params.copy()
    with pytest.raises(ExperimentFileError, match="does not match this model"):
        eg.io.load_weights_into(other, data)
    np.testing.assert_array_equal(other.params, before)


def test_load_weights_into_a_matching_model():
    m, _, _ = trained()
    twin = eg.Sequential([L.Dense(5, activation="relu"), L.Dropout(0.1),
                          L.Dense(1, activation="sigmoid")], input_shape=(2,), seed=9)
    twin.compile(optimizer=eg.optim.Adam(lr=0.01, amsgrad=True), loss="binary_crossentropy")
    eg.io.load_weights_into(twin, eg.io.to_bytes(m))
    np.testing.assert_array_equal(twin.params, m.params)
    assert twin.optimizer.t == m.optimizer.t


def test_size_cap(monkeypatch):
    monkeypatch.setattr(eg.io, "MAX_BYTES", 100)
    m, _, _ = trained()
    with pytest.raises(ExperimentFileError, match="limited to 100 bytes"):
        eg.io.from_bytes(eg.io.to_bytes(m))


def test_batch_norm_moving_statistics_round_trip():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)) * 5 + 2, rng.normal(size=(64, 1))
    m = eg.Sequential([L.Dense(4), L.BatchNormalization(), L.Dense(1)], input_shape=(3,))
    m.compile(optimizer="adam", loss="mse")
    m.fit(X, y, epochs=3, batch_size=16)
    exp = eg.io.from_bytes(eg.io.to_bytes(m))
    np.testing.assert_array_equal(exp.model.predict(X), m.predict(X))
    bn = exp.model.layers[1]
    np.testing.assert_array_equal(bn.moving_mean, m.layers[1].moving_mean)
