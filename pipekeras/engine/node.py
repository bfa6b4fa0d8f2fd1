"""Node: one call of a layer on symbolic tensors, the edge list of a model's graph."""


class Node:
    """Records that `layer` was called on `input_tensors` and produced `output_tensors`.

    A layer called n times has n inbound nodes; `layer.get_input_at(i)` reads the i-th.
    """

    def __init__(self, layer, input_tensors, output_tensors, inputs_are_list):
        self.layer = layer
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        self.inputs_are_list = inputs_are_list
        for index, tensor in enumerate(self.output_tensors):
            tensor.node = self
            tensor.index = index
        for tensor in self.input_tensors:
            if tensor.node is not None:
                tensor.node.layer.outbound_nodes.append(self)
        layer.inbound_nodes.append(self)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        return [t.node for t in self.input_tensors if t.node is not None]

    @property
    def is_input(self):
        return not self.input_tensors

    def _structure(self, items, as_list):
        return list(items) if as_list else items[0]

    @property
    def inputs(self):
        return self._structure(self.input_tensors, self.inputs_are_list)

    @property
    def outputs(self):
        return self._structure(self.output_tensors, len(self.output_tensors) > 1)

    @property
    def input_shapes(self):
        return self._structure([t.shape for t in self.input_tensors], self.inputs_are_list)

    @property
    def output_shapes(self):
        return self._structure([t.shape for t in self.output_tensors], len(self.output_tensors) > 1)

    @property
    def input_masks(self):
        return self._structure([t.mask for t in self.input_tensors], self.inputs_are_list)

    @property
    def output_masks(self):
        return self._structure([t.mask for t in self.output_tensors], len(self.output_tensors) > 1)

    def __repr__(self):
        sources = ", ".join(t.name for t in self.input_tensors) or "data"
        return f"<Node {self.layer.name}({sources})>"
