"""Sequence to sequence: an LSTM encoder reads "123+45" character by character, and its final states start an
LSTM decoder that writes the sum "168" (Keras's encoder-decoder recipe, with generated data).

Training uses teacher forcing: the decoder reads the answer shifted right by one (a start character first)
and learns to predict each next character. Answering then runs the encoder once and the decoder one
character at a time from its own previous output and states (greedy decoding): two inference models share
the trained layers, the decoder's states entering through `initial_state` and leaving through
`return_state`.

Set PIPEKERAS_QUICK=1 (or --quick) for a short run on two-digit numbers.
"""

import os
import sys
import time

import numpy as np

import pipekeras as pk

CHARS = "0123456789+ "
START = len(CHARS)  # one more symbol: the decoder's start character
VOCAB = len(CHARS) + 1


def make_data(count, digits, seed):
    """`count` questions "a+b" (padded with spaces, then reversed) and answers (padded), as character indices."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 10 ** digits, count)
    b = rng.integers(0, 10 ** digits, count)
    q_len, a_len = 2 * digits + 1, digits + 1
    questions = [f"{x}+{y}".ljust(q_len) for x, y in zip(a, b)]
    answers = [str(x + y).ljust(a_len) for x, y in zip(a, b)]
    index = {c: i for i, c in enumerate(CHARS)}
    encode = lambda texts: np.array([[index[c] for c in t] for t in texts], dtype=np.int64)
    return encode(questions)[:, ::-1].copy(), encode(answers)  # reversed questions train faster (Sutskever et al.)


def one_hot(indices):
    return np.eye(VOCAB, dtype=np.float32)[indices]


def teacher_inputs(answers):
    """The decoder's training inputs: the start character, then the answer without its last character."""
    return np.concatenate([np.full((len(answers), 1), START), answers[:, :-1]], axis=1)


def build(units):
    """The training model and the two inference models (encoder; one decoder step) sharing its layers."""
    question, partial = pk.Input((None, VOCAB), name="question"), pk.Input((None, VOCAB), name="partial_answer")
    _, h, c = pk.LSTM(units, return_state=True, name="encoder")(question)
    decoder = pk.LSTM(units, return_sequences=True, return_state=True, name="decoder")
    head = pk.Dense(VOCAB, activation="softmax", name="next_char")
    decoded, _, _ = decoder(partial, initial_state=[h, c])
    model = pk.Model([question, partial], head(decoded))

    encoder = pk.Model(question, [h, c])
    h_in, c_in = pk.Input((units,), name="h"), pk.Input((units,), name="c")
    step, h_out, c_out = decoder(partial, initial_state=[h_in, c_in])
    step_model = pk.Model([partial, h_in, c_in], [head(step), h_out, c_out])
    return model, encoder, step_model


def answer(encoder, step_model, questions, length):
    """Greedy decoding: the encoder's states, then `length` decoder steps each fed its previous character."""
    h, c = encoder.predict(one_hot(questions), verbose=0)
    current = np.full((len(questions), 1), START)
    out = np.empty((len(questions), length), dtype=np.int64)
    for t in range(length):
        probabilities, h, c = step_model.predict([one_hot(current), h, c], verbose=0)
        out[:, t] = probabilities[:, -1].argmax(axis=-1)
        current = out[:, t:t + 1]
    return out


def main(quick=False, digits=None, count=None, epochs=None, units=None, verbose=2):
    """Trains on generated sums; returns (exact-answer accuracy on new questions, seconds of training).

    quick: two-digit numbers and a smaller model; digits, count, epochs, units override the settings.
    """
    settings = (2, 10000, 15, 96) if quick else (3, 40000, 20, 128)
    digits, count, epochs, units = (given if given is not None else default for given, default in
                                    zip((digits, count, epochs, units), settings))
    pk.set_seed(0)
    questions, answers = make_data(count, digits, seed=0)
    test_q, test_a = make_data(2000, digits, seed=1)
    model, encoder, step_model = build(units)
    model.compile(optimizer=pk.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit([one_hot(questions), one_hot(teacher_inputs(answers))], one_hot(answers), batch_size=64,
              epochs=epochs, validation_split=0.1, verbose=verbose)
    seconds = time.perf_counter() - start
    predicted = answer(encoder, step_model, test_q, answers.shape[1])
    accuracy = float((predicted == test_a).all(axis=1).mean())
    for q, p in zip(test_q[:5], predicted[:5]):
        print("".join(CHARS[i] for i in q[::-1]), "=", "".join(CHARS[i] if i < len(CHARS) else "?" for i in p))
    print(f"{digits}-digit sums: {accuracy:.1%} of new questions answered exactly; trained in {seconds:.0f} s.")
    return accuracy, seconds


if __name__ == "__main__":
    main(quick=os.environ.get("PIPEKERAS_QUICK") == "1" or "--quick" in sys.argv)
