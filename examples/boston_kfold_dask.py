"""The book's Boston housing 4-fold validation (Deep Learning with R, 3.6), the folds run in parallel as Dask tasks.

Needs `pip install 'pipekeras[dask]'`. Starts a local cluster of 2 workers; give `client="tcp://host:8786"` to
use a cluster of many machines. The folds are seeded, so the results equal a serial run's (`client=False`).
"""

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential
from pipekeras.datasets import boston_housing


def build_and_fit(x_train, y_train, x_val, y_val):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    model = sequential() | dense(64, "relu", input_shape=13) | dense(64, "relu") | dense(1)
    model | compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model | fit(x_train, y_train, epochs=80, batch_size=16, verbose=0)
    return history, model | evaluate(x_val, y_val, verbose=0)


if __name__ == "__main__":
    (x, y), _ = boston_housing.load_data()
    folds = pk.tuning.kfold(build_and_fit, x.astype("float32"), y.astype("float32"), k=4)
    print(folds)
    print(f"mean validation MAE: {sum(row['eval_mae'] for row in folds) / len(folds):.2f}")
