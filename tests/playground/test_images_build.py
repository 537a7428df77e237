"""The Images page's pure parts: config <-> URL, data, stack -> model -> training, view data."""

from __future__ import annotations

import numpy as np
import pytest

import engine as eg
from playground import images_build as B
from playground import stack
from playground.i18n import Translator
from playground.images_config import (
    DEFAULT_STACK,
    PRESETS,
    SAMPLE_RANGES,
    ImagesConfig,
    from_query,
    to_query,
)

SMALL = ImagesConfig(n_samples=300)  # quick: 240 training and 60 test images


@pytest.fixture(scope="module")
def data():
    return B.load_data(SMALL)


def specs(text: str):
    return stack.from_text(text, "image")


# -- data ---------------------------------------------------------------------------------------
def test_digits_are_capped_split_and_reproducible(data):
    assert data.input_shape == (8, 8, 1) and data.n_classes == 10
    assert data.X_train.shape[0] + data.X_test.shape[0] == 300
    assert data.X_train.shape[0] == 240
    assert data.X_train.dtype == np.float32 and 0.0 <= data.X_train.min() <= data.X_train.max() <= 1
    assert data.y_train.dtype == np.int64 and set(np.unique(data.y_train)) <= set(range(10))
    again = B.load_data(SMALL)
    np.testing.assert_array_equal(again.X_test, data.X_test)
    other = B.load_data(SMALL.replace(data_seed=1))
    assert not np.array_equal(other.y_test, data.y_test)
    full = B.load_data(ImagesConfig(train_pct=50))
    assert full.X_train.shape[0] + full.X_test.shape[0] == 1797
    assert abs(full.X_train.shape[0] - full.X_test.shape[0]) <= 1


def test_mnist_needs_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.delenv(B.MNIST_ENV, raising=False)
    assert B.available_datasets() == ("digits",)
    with pytest.raises(B.ImageDataError) as err:
        B.load_data(ImagesConfig(dataset="mnist", n_samples=1000))
    assert err.value.key == "img.error.mnist_unset" and err.value.fmt["env"] == B.MNIST_ENV
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"not a zip file")
    monkeypatch.setenv(B.MNIST_ENV, str(bad))
    assert B.available_datasets() == ("digits", "mnist")
    with pytest.raises(B.ImageDataError) as err:
        B.load_data(ImagesConfig(dataset="mnist", n_samples=1000))
    assert err.value.key == "img.error.mnist_failed" and err.value.fmt["reason"]


def fake_mnist(path, n_train=600, n_test=200, seed=0):
    rng = np.random.default_rng(seed)
    np.savez(path, x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, n_train).astype(np.uint8),
             x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, n_test).astype(np.uint8))
    return path


def test_mnist_from_a_file_uses_its_own_test_set(monkeypatch, tmp_path):
    monkeypatch.setenv(B.MNIST_ENV, str(fake_mnist(tmp_path / "mnist.npz")))
    cfg = ImagesConfig(dataset="mnist", n_samples=500)
    d = B.load_data(cfg)
    assert d.input_shape == (28, 28, 1) and d.X_train.shape[0] == 500
    assert d.X_test.shape[0] == 200 and d.n_test_available == 200  # at least 500, all 200 here
    trainer = B.build_trainer(cfg.replace(batch_size=64), d)
    trainer.step(2)
    assert trainer.step_count == 2 and np.isfinite(trainer.metrics()["train_loss"])


# -- stack -> model -> training ------------------------------------------------------------------
def test_small_cnn_builds_trains_and_learns(data):
    cfg = SMALL
    trainer = B.build_trainer(cfg, data)
    model = trainer.model
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D", "MaxPool2D", "Flatten", "Dense"]
    assert model.layers[-1].activation.name == "softmax" and model.output_shape == (10,)
    assert model.dtype == np.float32
    before = trainer.metrics()["train_loss"]
    trainer.step(30)
    m = trainer.metrics()
    assert m["step"] == 30 and m["train_loss"] < before
    assert m["test_accuracy"] > 0.3  # chance is 0.1
    trainer.step_epoch()
    assert trainer.epoch >= 1


def test_parameter_counts_match_the_engine(data):
    for text in [*PRESETS.values(), "batchnorm,conv2d:4:5:2:valid:tanh,avgpool2d:2,flatten,"
                 "dropout:0.3,dense:16:elu"]:
        s = specs(text)
        rows, err = B.shape_rows(s, (8, 8, 1), 10)
        assert err is None, text
        model = B.build_model(s, (8, 8, 1), 10)
        assert sum(r["params"] or 0 for r in rows) == model.n_params, text
        assert rows[0]["kind"] == "input" and rows[-1]["kind"] == "output"
        assert rows[-1]["shape"] == (10,) and len(rows) == len(s) + 2
        assert tuple(model.output_shape) == rows[-1]["shape"]


def test_a_stack_that_does_not_fit_raises_a_stack_error():
    tr = Translator("en")
    for text, key in (("dense:32:relu", "stack.mismatch_data"),
                      ("flatten,conv2d:8:3:1:same:relu", "stack.mismatch"),
                      ("conv2d:8:3:1:same:relu", "stack.mismatch"),  # the output needs Flatten
                      ("maxpool2d:4,maxpool2d:4", "stack.too_small")):
        with pytest.raises(stack.StackError) as err:
            B.build_model(specs(text), (8, 8, 1), 10)
        assert err.value.key == key, text
        assert stack.message(err.value, tr)
        rows, e2 = B.shape_rows(specs(text), (8, 8, 1), 10)
        assert e2 is not None and rows[-1]["shape"] is None  # the table stops where it fails
    msg = stack.message(pytest.raises(stack.StackError, B.check_stack,
                                      specs("conv2d:8:3:1:same:relu"), (8, 8, 1), 10).value,
                        Translator("zh"))
    assert "Flatten" in msg and "(8, 8, 8)" in msg


def test_too_many_parameters_are_refused():
    big = specs("conv2d:64:3:1:same:relu,flatten,dense:256:relu")  # 28·28·64·256 > 1e6
    with pytest.raises(B.TooBigError) as err:
        B.build_model(big, (28, 28, 1), 10)
    assert err.value.key == "img.error.too_big"


def test_live_settings_and_optimizer_swap(data):
    trainer = B.build_trainer(SMALL, data)
    trainer.step(3)
    w = trainer.model.params.copy()
    B.apply_live_settings(trainer, SMALL.replace(lr=0.003, batch_size=64))
    assert trainer.model.optimizer.lr == 0.003 and trainer.batch_size == 64
    B.swap_optimizer(trainer, SMALL.replace(optimizer="momentum", lr=0.1))
    assert isinstance(trainer.model.optimizer, eg.optim.SGD)
    np.testing.assert_array_equal(trainer.model.params, w)
    for name in ("sgd", "nesterov", "adagrad", "rmsprop", "adamw", "adadelta", "nadam"):
        assert isinstance(B.make_optimizer(name, 0.01), eg.optim.Optimizer)


# -- what the views draw --------------------------------------------------------------------------
def test_view_data_shapes(data):
    trainer = B.build_trainer(SMALL.replace(stack=specs(PRESETS["deeper_cnn"])), data)
    model = trainer.model
    w = B.first_layer_weights(model)
    assert w["kind"] == "conv2d" and w["maps"].shape == (8, 3, 3) and w["total"] == 8
    W = model.layer_params(model.layers[0].name)["W"]
    np.testing.assert_allclose(w["maps"][2], W[:, :, 0, 2])
    maps = B.feature_maps(model, data.X_test[0])
    assert [m["maps"].shape for m in maps] == [(8, 8, 8), (16, 4, 4)]
    assert [m["layer"] for m in maps] == [0, 2] and maps[1]["total"] == 16
    assert len(B.feature_maps(model, data.X_test[0], max_layers=1, max_maps=4)) == 1
    probs = B.predict(model, data.X_test)
    assert probs.shape == (60, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    sv = B.sample_view(probs, data)
    assert sv.images.shape == (16, 8, 8) and sv.pred.shape == (16,)
    np.testing.assert_array_equal(sv.true, data.y_test[:16])
    cm = B.confusion(data.y_test, probs.argmax(axis=1), 10)
    assert cm.shape == (10, 10) and cm.sum() == 60
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(data.y_test, minlength=10))


def test_dense_first_layer_weights_are_pictures():
    m = B.build_model(specs("flatten,dense:64:relu"), (8, 8, 1), 10)
    w = B.first_layer_weights(m)
    assert w["kind"] == "dense" and w["maps"].shape == (16, 8, 8) and w["total"] == 64
    W = m.layer_params(m.layers[1].name)["W"]
    np.testing.assert_allclose(w["maps"][5], W[:, 5].reshape(8, 8))
    assert B.feature_maps(m, np.zeros((8, 8, 1))) == []
    pooled = B.build_model(specs("maxpool2d:2,flatten,dense:8:relu"), (8, 8, 1), 10)
    assert B.first_layer_weights(pooled)["maps"].shape == (8, 4, 4)
    bn = B.build_model(specs("batchnorm,conv2d:2:3:1:same:relu,flatten"), (8, 8, 1), 10)
    assert B.first_layer_weights(bn)["kind"] == "conv2d"


# -- the URL -------------------------------------------------------------------------------------
def test_query_round_trip_and_defaults_stay_clean():
    tr = Translator("en")
    assert to_query(ImagesConfig()) == {}
    cfg = ImagesConfig(n_samples=900, train_pct=70, data_seed=4,
                       stack=specs("conv2d:4:5:1:valid:tanh,flatten,dense:16:elu"), seed=9,
                       optimizer="rmsprop", lr=0.003, batch_size=64, speed=10, image=7)
    q = to_query(cfg)
    assert q["i_stack"] == "conv2d:4:5:1:valid:tanh,flatten,dense:16:elu"
    back, notes = from_query(q, tr)
    assert back == cfg and not notes
    assert from_query({"i_stack": "none"}, tr)[0].stack == ()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_links_fall_back_with_notes(lang):
    tr = Translator(lang)
    cfg, notes = from_query({"i_stack": "conv2d:8:3,warp:1", "i_lr": "fast", "i_bs": "0",
                             "i_data": "mnist", "i_n": "5", "i_opt": "lion", "i_zz": "1",
                             "lang": "zh", "p_fn": "x"}, tr)
    assert cfg == ImagesConfig()
    text = " ".join(notes)
    for key in ("i_stack", "i_lr", "i_bs", "i_data", "i_n", "i_opt", "i_zz"):
        assert key in text, key
    assert "warp" in text  # the stack's own message names the bad layer
    assert len(notes) == 7  # other pages' keys and lang are not this page's business
    for junk in ({"i_stack": ["x"] * 3}, {"i_lr": "nan"}, {"i_lr": "1e999"}, {"i_n": "1e9"},
                 {"i_stack": "," * 500}, {"i_img": "-1"}, {"i_seed": "9" * 40}):
        c, n = from_query(junk, tr)
        assert n and c == ImagesConfig()
    assert from_query({"i_data": "mnist"}, tr, datasets=("digits", "mnist"))[0].n_samples == \
        SAMPLE_RANGES["mnist"][2]
    assert DEFAULT_STACK == specs(PRESETS["small_cnn"])
