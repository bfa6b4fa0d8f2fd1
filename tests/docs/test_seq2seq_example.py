"""examples/seq2seq_addition.py: an LSTM encoder's states start an LSTM decoder; on one-digit sums (a small
version of the example) greedy decoding answers new questions exactly."""

import importlib.util
import os

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_seq2seq_addition_learns_one_digit_sums():
    spec = importlib.util.spec_from_file_location("seq2seq_addition",
                                                  os.path.join(ROOT, "examples", "seq2seq_addition.py"))
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    accuracy, _ = example.main(digits=1, count=1500, epochs=14, units=32, verbose=0)
    assert accuracy >= 0.95
