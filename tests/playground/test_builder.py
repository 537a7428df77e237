import numpy as np
import pytest

from playground import builder
from playground.config import OPTIMIZERS, Experiment, LayerSpec


def test_default_experiment_builds_and_learns():
    exp = Experiment()
    trainer, data = builder.build_trainer(exp)
    assert data.X_train.shape[1] == len(exp.features)
    assert trainer.model.input_shape == (len(exp.features),)
    before = trainer.metrics()["train_loss"]
    trainer.step(250)
    assert trainer.metrics()["train_loss"] < before


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_choice_builds(name):
    exp = Experiment(optimizer=name, lr=0.01, schedule="cosine")
    opt = builder.build_optimizer(exp)
    assert opt.lr == 0.01 and opt.schedule is not None


def test_plane_views_have_the_expected_shapes():
    exp = Experiment(layers=(LayerSpec(5, "relu"), LayerSpec(3, "tanh", 0.2)))
    trainer, data = builder.build_trainer(exp)
    xs, ys, Z = builder.predict_plane(trainer.model, exp, data, resolution=20)
    assert xs.shape == (20,) and ys.shape == (20,) and Z.shape == (20, 20)
    assert np.all((Z >= 0) & (Z <= 1))
    maps = builder.neuron_maps(trainer.model, exp, data, resolution=8)
    assert [m.shape for m in maps] == [(4, 8, 8), (5, 8, 8), (3, 8, 8), (1, 8, 8)]
    assert builder.layer_sizes(trainer.model, exp) == [4, 5, 3, 1]
    assert [k.shape for k in builder.kernels(trainer.model)] == [(4, 5), (5, 3), (3, 1)]


def test_live_settings_apply_without_reset():
    trainer, _ = builder.build_trainer(Experiment())
    trainer.step(5)
    builder.apply_live_settings(trainer, Experiment(lr=0.001, l2=0.01, batch_size=0))
    assert trainer.step_count == 5 and trainer.model.optimizer.lr == 0.001
    assert trainer.model.l2 == 0.01 and trainer.batch_size == trainer.X.shape[0]


@pytest.mark.parametrize("exp, key", [
    (Experiment(dataset="reg_plane"), "problem.bce_on_regression"),
    (Experiment(output_activation="softmax"), "problem.softmax_single_output"),
    (Experiment(output_activation="linear"), "problem.bce_needs_sigmoid"),
    (Experiment(features=()), "problem.no_features"),
])
def test_impossible_combinations_name_the_problem(exp, key):
    with pytest.raises(builder.ExperimentError) as info:
        builder.build_model(exp)
    assert info.value.key == key


def test_parameter_cap(monkeypatch):
    monkeypatch.setattr(builder, "MAX_PARAMS", 50)
    with pytest.raises(builder.ExperimentError) as info:
        builder.build_model(Experiment())
    assert info.value.key == "problem.too_many_params" and info.value.fmt["cap"] == 50


def test_an_experiment_file_loads_back_with_its_weights_and_settings():
    import engine as eg
    from playground import state

    exp = Experiment(dataset="xor", lr=0.03, layers=(LayerSpec(5, "tanh"),))
    trainer, _ = builder.build_trainer(exp)
    trainer.step(40)
    blob = eg.io.to_bytes(trainer.model, extra={"query": state.to_query(exp)})
    got, notes, loaded, data = builder.load_experiment(blob)
    assert got == exp and notes == []
    np.testing.assert_array_equal(loaded.model.params, trainer.model.params)
    assert loaded.step_count == 0  # its history starts at the loaded weights
    # the same weights on the same (regenerated) data: the loss the saver last saw
    assert loaded.metrics()["train_loss"] == pytest.approx(trainer.metrics()["train_loss"],
                                                           rel=1e-12)
    assert data.X_train.shape[0] > 0
    with pytest.raises(eg.io.ExperimentFileError):
        builder.load_experiment(b"PK\x03\x04 not a zip")
