"""By-order weight files written before get_weights() followed Keras's layer-by-layer order still load."""

import numpy as np

import pipekeras as pk


def _model():
    model = pk.sequential() | pk.dense(3, input_shape=(2,)) | pk.batch_normalization() | pk.dense(4)
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in model.get_weights()])
    return model


def test_npz_in_the_former_order_loads(tmp_path):
    model = _model()
    former = [v.numpy() for v in model.trainable_weights + model.non_trainable_weights]
    assert [a.shape for a in former] != [w.shape for w in model.get_weights()]
    np.savez(tmp_path / "old.npz", *former)
    fresh = pk.sequential() | pk.dense(3, input_shape=(2,)) | pk.batch_normalization() | pk.dense(4)
    fresh.load_weights(str(tmp_path / "old.npz"))
    for got, want in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_npz_round_trip_in_keras_order(tmp_path):
    model = _model()
    model.layers[0].trainable = False
    model.save_weights(str(tmp_path / "w.npz"))
    fresh = pk.sequential() | pk.dense(3, input_shape=(2,)) | pk.batch_normalization() | pk.dense(4)
    fresh.load_weights(str(tmp_path / "w.npz"))
    for got, want in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)
