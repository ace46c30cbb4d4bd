"""Loads a FlipGuard export back into PyTorch and measures it on the built-in test digits.

    flipguard models describe runs/my_cnn-hat.fgc --json > runs/my_cnn-hat.json
    flipguard export runs/my_cnn-hat.fgc -o runs/my_cnn-hat.pt
    python3 examples/pytorch/check_export.py runs/my_cnn-hat.json runs/my_cnn-hat.pt
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "python"))
import digits  # noqa: E402
import flipguard_arch  # noqa: E402

arch, weights = sys.argv[1], sys.argv[2]
with open(arch) as f:
    model = flipguard_arch.build(json.load(f), channels=1, height=28, width=28)
print(model.load_state_dict(torch.load(weights)))
model.eval()
_, _, x, y = digits.load()
with torch.no_grad():
    print(f"PyTorch test accuracy of {weights}: {(model(x).argmax(1) == y).float().mean().item():.4f}")
