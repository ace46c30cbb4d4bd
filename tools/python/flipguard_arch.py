"""Build the PyTorch module that a FlipGuard architecture description (JSON) stands for.

Layer names and order match FlipGuard's DescribedNetwork, so state dicts move between the two unchanged:

    import json, torch, flipguard_arch
    model = flipguard_arch.build(json.load(open("arch.json")), channels=1, height=28, width=28)
    model.load_state_dict(torch.load("model.pt"))          # a file written by 'flipguard export'
    torch.save(model.state_dict(), "model.pt")              # a file 'flipguard import' reads
"""
import torch
from torch import nn


class Residual(nn.Sequential):
    """Output = input + the layers applied to it (their names stay 0, 1, ... as in nn.Sequential)."""

    def forward(self, x):
        return x + super().forward(x)


def build(description, channels, height, width):
    """The nn.Module for `description` on inputs of shape (channels, height, width), in training mode."""
    model = _stack(description["layers"], torch.zeros(2, channels, height, width), nn.Sequential)
    return model.train()


def _stack(layers, x, container):
    # Each layer's input size is found by running the layers before it on a dummy batch.
    block = container()
    for i, layer in enumerate(layers):
        module = _layer(layer, x)
        block.add_module(layer.get("name", str(i)), module)
        with torch.no_grad():
            x = module.eval()(x)
    return block


def _layer(layer, x):
    kind = layer["type"]
    if kind == "conv":
        return nn.Conv2d(x.shape[1], layer["out"], layer["kernel"], stride=layer.get("stride", 1),
                         padding=layer.get("padding", 0), bias=layer.get("bias", True))
    if kind == "linear":
        return nn.Linear(x.shape[1], layer["out"], bias=layer.get("bias", True))
    if kind == "batchnorm":
        eps = layer.get("eps", 1e-5)
        return nn.BatchNorm2d(x.shape[1], eps=eps) if x.dim() == 4 else nn.BatchNorm1d(x.shape[1], eps=eps)
    if kind == "relu":
        return nn.ReLU()
    if kind == "maxpool":
        return nn.MaxPool2d(layer["kernel"], layer.get("stride"), layer.get("padding", 0))
    if kind == "avgpool":
        return nn.AvgPool2d(layer["kernel"], layer.get("stride"), layer.get("padding", 0))
    if kind == "global-avgpool":
        return nn.AdaptiveAvgPool2d(1)
    if kind == "flatten":
        return nn.Flatten()
    if kind in ("residual", "sequential"):
        return _stack(layer["layers"], x, Residual if kind == "residual" else nn.Sequential)
    raise ValueError(f"unknown layer type {kind!r}")
