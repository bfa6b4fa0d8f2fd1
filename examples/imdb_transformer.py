"""A transformer-encoder text classifier on IMDB (Keras's "Text classification with Transformer" example).

Token-and-position embedding (20,000 words x 32, sequences cut to 300), one transformer block (2-head
self-attention, key_dim 32, feed-forward 32, residuals, layer normalization, dropout 0.1), global average
pooling, dense(20, relu), softmax over the 2 classes. adam, batch 32, up to 4 epochs: the last 10% of the
training reviews are held out for validation, and early stopping (patience 1) keeps the weights of the epoch
with the best validation accuracy. Accuracy on the 25,000 test reviews. Set PIPEKERAS_QUICK=1 for a short run
(1,000 reviews cut to 100 words, 2 epochs).
"""

import os
import time

import pipekeras as pk
from pipekeras import (Input, Model, add, dense, dropout, global_average_pooling_1d, layer_normalization,
                       multi_head_attention, token_and_position_embedding)
from pipekeras.callbacks import EarlyStopping
from pipekeras.datasets import imdb
from pipekeras.utils import pad_sequences

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)
vocab_size, maxlen, embed_dim, num_heads, ff_dim = 20000, 300, 32, 2, 32
if quick:
    maxlen = 100

(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=vocab_size)
x_train, x_test = pad_sequences(x_train, maxlen=maxlen), pad_sequences(x_test, maxlen=maxlen)
if quick:
    x_train, y_train, x_test, y_test = x_train[:1000], y_train[:1000], x_test[:1000], y_test[:1000]


def transformer_block(x, embed_dim, num_heads, ff_dim, rate=0.1):
    """Self-attention and a feed-forward network, each with dropout, a residual connection and layer norm."""
    attended = multi_head_attention(num_heads=num_heads, key_dim=embed_dim)(x, x) | dropout(rate)
    x = [x, attended] | add() | layer_normalization(epsilon=1e-6)
    fed = x | dense(ff_dim, activation="relu") | dense(embed_dim) | dropout(rate)
    return [x, fed] | add() | layer_normalization(epsilon=1e-6)


inputs = Input(shape=(maxlen,))
x = inputs | token_and_position_embedding(maxlen, vocab_size, embed_dim)
x = transformer_block(x, embed_dim, num_heads, ff_dim)
outputs = x | global_average_pooling_1d() | dropout(0.1) | dense(20, activation="relu") | dropout(0.1) | \
    dense(2, activation="softmax")
model = Model(inputs, outputs)
model.summary()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


# The model fits the training reviews within an epoch or two and then overfits: stop when the accuracy on the
# held-out tenth of the training data falls, and keep the best epoch's weights.
early_stopping = EarlyStopping(monitor="val_accuracy", patience=1, restore_best_weights=True)
start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=32, epochs=2 if quick else 4, validation_split=0.1,
                    callbacks=[early_stopping], verbose=2)
seconds = time.perf_counter() - start
epochs = len(history.history["loss"])
scores = model.evaluate(x_test, y_test, verbose=0)
print(f"\nTraining took {seconds:.1f} s for {epochs} epochs ({seconds / epochs:.1f} s per epoch).")
print(f"Test accuracy: {scores['accuracy']:.4f} (loss {scores['loss']:.4f})")
