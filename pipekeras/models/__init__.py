"""Models: the functional `Model` and `Sequential` (a graph of layers plus the training verbs), and their views
(summary, plot_model)."""
