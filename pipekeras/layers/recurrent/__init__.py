"""Recurrent layers: the fused SimpleRNN, LSTM and GRU (fused.py), the cells and the generic RNN over any cell
(cells.py, rnn.py), ConvLSTM2D (conv_lstm.py), initial states as call inputs (states.py)."""

from .conv_lstm import ConvLSTM2D
from .cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .fused import GRU, LSTM, RNNBase, SimpleRNN
from .rnn import RNN
