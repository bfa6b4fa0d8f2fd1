"""Recurrent layers: the fused SimpleRNN, LSTM and GRU (fused.py), their cells and the generic RNN over any
cell (cells.py, rnn.py), and ConvLSTM2D (conv_lstm.py)."""

from .fused import GRU, LSTM, RNNBase, SimpleRNN
