"""The Sequences page's engine side (no streamlit): data, stacks, training, inside views, links."""

from __future__ import annotations

import numpy as np
import pytest

from playground import sequences_build as B
from playground import sequences_config as C
from playground import stack
from playground.i18n import Translator

EN, ZH = Translator("en"), Translator("zh")


def specs(text: str) -> tuple[stack.Spec, ...]:
    return stack.from_text(text, "sequence")


def small(dataset: str, **kw) -> C.SeqConfig:
    return C.defaults_for(dataset).replace(n_samples=200, **kw)


# -- building and training -------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", C.DATASETS)
def test_each_data_set_with_its_default_stack_builds_and_learns(dataset):
    cfg = small(dataset)
    trainer, data = B.build_trainer(cfg)
    assert data.task == {"sine": "regression", "parity": "binary"}.get(dataset, "multiclass")
    model = trainer.model
    assert model.output_shape == (data.output_units,)
    assert model.layers[-1].activation.name == data.ds.output_activation
    rows = B.shape_rows(cfg.stack, data)
    assert [r.role for r in rows] == ["input"] + ["layer"] * len(cfg.stack) + ["output"]
    assert rows[0].shape == data.input_shape and rows[-1].shape == (data.output_units,)
    assert sum(r.params for r in rows) == model.n_params  # the table counts what trains
    before = trainer.metrics()["train_loss"]
    trainer.step(40)
    after = trainer.metrics()["train_loss"]
    assert np.isfinite(after) and after < before, (before, after)


def test_next_char_holds_token_ids_and_its_table_says_so():
    data = B.make_data(small("next_char"))
    assert data.integer_ids and data.input_shape == (12,) and data.vocab
    rows = B.shape_rows(specs("embedding:8,lstm:32:0"), data)
    assert rows[1].title == "Embedding" and rows[1].shape == (12, 8)
    assert rows[1].params == len(data.vocab) * 8


@pytest.mark.parametrize("preset", list(C.PRESETS))
@pytest.mark.parametrize("dataset", C.DATASETS)
def test_every_preset_fits_every_data_set(preset, dataset):
    data = B.make_data(small(dataset))
    rows = B.validate(specs(C.preset_text(preset, dataset)), data)
    model = B.build_model(specs(C.preset_text(preset, dataset)), data)
    assert sum(r.params for r in rows) == model.n_params
    assert [r.shape for r in rows[1:]] == [layer.output_shape for layer in model.layers]


def test_param_counts_match_the_engine_for_every_kind():
    data = B.make_data(small("sine", seq_len=7))
    text = "simplernn:5:1,batchnorm,attention:6:1,dropout:0.2,lstm:4:1,flatten,dense:3:tanh"
    model = B.build_model(specs(text), data)
    rows = B.shape_rows(specs(text), data)
    for row, layer in zip(rows[1:], model.layers, strict=True):
        n = sum(s.size for s in model.param_spec if s.layer == layer.name)
        assert row.params == n, (row.title, row.params, n)


# -- stacks that do not fit ------------------------------------------------------------------------
@pytest.mark.parametrize(("dataset", "text", "key", "words"), [
    ("sine", "lstm:16:0,lstm:8:0", "stack.mismatch", "return sequences"),
    ("sine", "attention:16:0", "stack.mismatch", "Flatten"),
    ("parity", "embedding:8,lstm:8:0", "stack.embedding_first", "Embedding"),
    ("next_char", "lstm:16:0", "stack.ids_need_embedding", "Embedding"),
    ("sine", "", "seq.error.empty", "empty"),
    ("sine", "lstm:256:1,lstm:256:0", "seq.error.too_many_params", "300,000"),
])
def test_a_bad_stack_raises_a_stack_error_explained_in_both_languages(dataset, text, key, words):
    data = B.make_data(small(dataset))
    with pytest.raises(stack.StackError) as err:
        B.build_model(specs(text), data)
    assert err.value.key == key
    en, zh = stack.message(err.value, EN), stack.message(err.value, ZH)
    assert words in en, en
    assert en != zh and not zh.startswith(("stack.", "seq."))


def test_the_output_layer_follows_the_task():
    for dataset, units, act in (("sine", 1, "linear"), ("parity", 1, "sigmoid"),
                                ("count_ones", 11, "softmax"), ("next_char", None, "softmax")):
        data = B.make_data(small(dataset))
        out = B.output_spec(data)
        assert out.kind == "dense" and out["activation"] == act
        assert out["units"] == (units or len(data.vocab))


# -- optimizer and live settings -------------------------------------------------------------------
@pytest.mark.parametrize("name", C.OPTIMIZERS)
def test_every_optimizer_is_made_with_optional_clipping(name):
    opt = B.make_optimizer(name, 0.01, 0.5)
    assert opt.lr == 0.01 and opt.clip_norm == 0.5
    assert B.make_optimizer(name, 0.01, 0.0).clip_norm is None


def test_live_settings_change_without_a_new_network():
    cfg = small("sine")
    trainer, _ = B.build_trainer(cfg)
    model = trainer.model
    B.apply_live_settings(trainer, cfg.replace(lr=0.003, clip=1.0, batch_size=8))
    assert trainer.model is model and model.optimizer.lr == 0.003
    assert model.optimizer.clip_norm == 1.0 and trainer.batch_size == 8
    B.swap_optimizer(trainer, cfg.replace(optimizer="rmsprop"))
    assert type(model.optimizer).__name__ == "RMSprop"
    trainer.step(2)  # still trains


# -- what the views draw ---------------------------------------------------------------------------
def test_lstm_gates_have_units_by_time_and_are_capped():
    trainer, data = B.build_trainer(small("count_ones", stack=specs("lstm:40:0")))
    ex = B.example(trainer.model, data, 3)
    assert set(ex.gates) == {"input", "forget", "output", "cell"}
    for name, g in ex.gates.items():
        assert g.shape == (B.MAX_GATE_UNITS, 10), name
    for name in ("input", "forget", "output"):
        assert 0.0 <= ex.gates[name].min() and ex.gates[name].max() <= 1.0
    assert ex.attention is None and ex.x.shape == (10,) and ex.output.shape == (11,)
    assert ex.output.sum() == pytest.approx(1.0)
    assert ex.target == data.y_test[3, 0]


def test_attention_weights_are_time_by_time_rows_of_probabilities():
    trainer, data = B.build_trainer(small("next_char",
                                          stack=specs("embedding:8,attention:16:1,flatten")))
    ex = B.example(trainer.model, data, 0)
    T = data.seq_len
    assert ex.attention.shape == (T, T) and ex.gates is None
    assert np.allclose(ex.attention.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(np.triu(ex.attention, k=1) == 0.0)  # causal: no weight on the future
    assert ex.x.dtype.kind in "iuf" and B.decode(ex.x).isprintable()


def test_the_example_index_is_clamped_and_the_regression_output_is_one_value():
    trainer, data = B.build_trainer(small("sine"))
    ex = B.example(trainer.model, data, 10_000)
    assert ex.index == data.X_test.shape[0] - 1 and ex.output.shape == (1,)
    assert B.predictions(trainer.model, data).shape == (data.X_test.shape[0], 1)


def test_input_gradients_per_time_step_leave_training_untouched():
    trainer, data = B.build_trainer(small("sine", stack=specs("simplernn:8:0")))
    trainer.step(3)
    params, grads = trainer.model.params.copy(), trainer.model.grads.copy()
    flag = trainer.model.layers[0].input_grad
    g = B.input_gradients(trainer)
    assert g.shape == (data.seq_len,) and np.all(g >= 0) and g[-1] > 0
    assert np.array_equal(params, trainer.model.params)
    assert np.array_equal(grads, trainer.model.grads)
    assert trainer.model.layers[0].input_grad == flag
    after = trainer.step(1)  # and training goes on as before
    assert after["step"] == 4


def test_input_gradients_of_an_embedding_stack_and_none_without_recurrence():
    trainer, data = B.build_trainer(small("next_char"))
    assert B.input_gradients(trainer).shape == (data.seq_len,)
    trainer, _ = B.build_trainer(small("sine", stack=specs("flatten,dense:8:relu")))
    assert B.input_gradients(trainer) is None


# -- the link --------------------------------------------------------------------------------------
def test_default_link_is_short_and_every_setting_round_trips():
    assert C.to_query(C.SeqConfig()) == {"s_ds": "sine"}
    cfg = C.defaults_for("next_char").replace(
        seq_len=20, n_samples=300, noise=0.1, data_seed=4, seed=3, optimizer="rmsprop",
        lr=0.003, batch_size=16, clip=0.5, speed=10, example=7,
        stack=specs("embedding:16,attention:8:1,dropout:0.1,flatten,dense:32:tanh"))
    q = C.to_query(cfg)
    back, notes, link_stack = C.from_query({**q, "lang": "zh", "ds": "spiral"}, EN)
    assert notes == [] and link_stack == cfg.stack
    assert back.replace(stack=link_stack) == cfg
    assert "s_stack=embedding:16,attention:8:1,dropout:0.1,flatten,dense:32:tanh" in \
        C.query_string(cfg)


def test_a_data_set_in_the_link_brings_its_own_defaults():
    cfg, notes, link_stack = C.from_query({"s_ds": "next_char"}, EN)
    assert (cfg.dataset, cfg.seq_len, cfg.stack_text) == ("next_char", 12,
                                                          "embedding:8,lstm:32:0")
    assert notes == [] and link_stack is None


def test_bad_link_values_fall_back_with_notes_in_the_page_language():
    cfg, notes, link_stack = C.from_query(
        {"s_ds": "fibonacci", "s_lr": "fast", "s_len": "9999", "s_bs": "2.5", "s_opt": "lbfgs",
         "s_stack": "lstm:16:0,conv2d:8", "s_what": "1"}, ZH)
    assert cfg.dataset == "sine" and cfg.lr == C.SeqConfig.lr
    assert cfg.seq_len == C.RANGES["seq_len"][1]  # clamped, and said so
    assert cfg.batch_size == C.SeqConfig.batch_size and cfg.optimizer == "adam"
    assert link_stack is None
    text = " ".join(notes)
    for key in ("s_ds", "s_lr", "s_len", "s_bs", "s_opt", "s_what"):
        assert key in text, key
    assert "无法" in text and "Conv2D" in text  # Chinese notes, naming the bad layer


def test_reading_a_link_never_raises():
    for junk in ({"s_ds": ["parity", "x"]}, {"s_noise": "nan"}, {"s_lr": "-1"},
                 {"s_stack": ","}, {"s_stack": ":" * 500}, {"s_ex": "1e99"}):
        cfg, notes, _ = C.from_query(junk, EN)
        assert isinstance(cfg, C.SeqConfig)
