"""Layers, nodes, symbolic tensors and models: the graph every pipe builds."""
