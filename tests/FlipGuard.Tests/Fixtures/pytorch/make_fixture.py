"""Writes the PyTorch fixtures FlipGuard's interop tests read (run with Debian's python3-torch, 1.13):

    /usr/bin/python3 tests/FlipGuard.Tests/Fixtures/pytorch/make_fixture.py

For each architecture description NAME.json beside this script it builds the model with
tools/python/flipguard_arch.py, gives it seeded weights (and, for batch norm, running statistics from a few
training-mode passes), and writes
  NAME.pt            torch.save(model.state_dict())   (tiny-cnn: one weight saved as a non-contiguous view)
  NAME.input.f32     a fixed input batch, raw little-endian float32, shape (4, 1, 28, 28)
  NAME.logits.f32    the model's eval-mode logits on it, raw little-endian float32, shape (4, 10)
and for tiny-mlp also NAME.onnx (torch.onnx.export, opset 13). The C# tests check that FlipGuard reproduces
the logits from these files; CI never needs PyTorch.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "tools", "python"))
import flipguard_arch  # noqa: E402


def make(name, seed):
    torch.manual_seed(seed)
    with open(os.path.join(HERE, name + ".json")) as f:
        model = flipguard_arch.build(json.load(f), channels=1, height=28, width=28)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 1, 28, 28) * 0.5 + 0.2)  # moves batch-norm running statistics off their defaults
    model.eval()
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        logits = model(x)
    state = model.state_dict()
    if name == "tiny-cnn":
        # A transposed view of a transposed copy: same values, non-contiguous strides in the file.
        state["head.weight"] = state["head.weight"].t().contiguous().t()
        assert not state["head.weight"].is_contiguous()
    torch.save(state, os.path.join(HERE, name + ".pt"))
    x.numpy().astype("<f4").tofile(os.path.join(HERE, name + ".input.f32"))
    logits.numpy().astype("<f4").tofile(os.path.join(HERE, name + ".logits.f32"))
    if name == "tiny-mlp":
        torch.onnx.export(model, x, os.path.join(HERE, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print(name, "logits[0]:", [round(v, 4) for v in logits[0].tolist()])


if __name__ == "__main__":
    make("tiny-mlp", 1)
    make("tiny-cnn", 2)
