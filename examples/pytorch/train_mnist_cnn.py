"""Trains the CNN of my_cnn.json with PyTorch on FlipGuard's built-in MNIST digits and saves its state dict.

Run from the repository root (needs PyTorch; Debian: apt-get install python3-torch):

    python3 examples/pytorch/train_mnist_cnn.py        # writes runs/my_cnn.pt
"""
import json
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "python"))
import digits  # noqa: E402
import flipguard_arch  # noqa: E402

x, y, x_test, y_test = digits.load()
torch.manual_seed(0)
with open(os.path.join(HERE, "my_cnn.json")) as f:
    model = flipguard_arch.build(json.load(f), channels=1, height=28, width=28)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    order = torch.randperm(len(x))
    for i in range(0, len(x), 64):
        batch = order[i:i + 64]
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()
model.eval()
with torch.no_grad():
    accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
print(f"PyTorch test accuracy on the last 2,000 digits: {accuracy:.4f}")
os.makedirs(os.path.join(digits.ROOT, "runs"), exist_ok=True)
torch.save(model.state_dict(), os.path.join(digits.ROOT, "runs", "my_cnn.pt"))
