"""DataParallel with one rank (no mpiexec): the runner is rebuilt, and training equals no distribution."""

import numpy as np

import pipekeras as pk

x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")


def trained():
    pk.set_seed(0)
    model = pk.sequential() | pk.dense(4, input_shape=3) | pk.dense(1)
    model | pk.compile(optimizer="sgd", loss="mse")
    model | pk.fit(x, x[:, :1] * 2, batch_size=8, verbose=0)
    return model


alone = trained()
before = alone._current_runner()
strategy = pk.distribution.DataParallel()
pk.distribution.set_distribution(strategy)
print(strategy.rank, strategy.size)
print("rebuilt" if alone._current_runner() is not before else "kept")
print("equal" if all(np.array_equal(a, b) for a, b in zip(trained().get_weights(), alone.get_weights())) else "differ")
