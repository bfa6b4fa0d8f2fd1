"""The graph core: layers, variables, nodes and symbolic tensors (the graph every pipe builds); models build on it."""
