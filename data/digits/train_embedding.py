#!/usr/bin/env python3
"""Trains a small Siamese embedding network with the triplet loss (lectures 35-36) on the
handwritten digits bundled in scikit-learn, each digit class standing for one "identity", and
exports www/models/digit-embedding.onnx with a JSON sidecar.

Data and split: exactly train_lenet.py's (`load_digits`, UCI, CC BY 4.0, shipped in the package;
20 % held out, stratified, seed 0; the held-out digits are www/models/digits-heldout.bin), the
same 32x32 input (each 8x8 pixel repeated 4x4, divided by 16; `digits::lenet_input`).

Network: 32x32x1 → conv 5x5 ×8 → ReLU → max pool 2 → conv 5x5 ×16 → ReLU → max pool 2 → 400 →
FC 64 → ReLU → FC 2: f(x), a point in the plane, so the page can plot every digit's encoding.

Loss: L(A, P, N) = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0) with α = 1. Triplets are mined
online, as lecture 36 advises choosing hard ones: every batch holds 10 classes × 8 digits, and
the loss averages over its (A, P, N) that still violate the margin (hard and semi-hard), so the
easy ones, already satisfied, do not dilute it. (Batch-hard mining, only each anchor's farthest
positive and nearest negative, collapsed every encoding to one point in 2-D from random weights.) Shifts of up to one 8x8
pixel as augmentation. torch seed 0, numpy seed 0.

    /usr/bin/python3 data/digits/train_embedding.py      # Debian python3-torch, python3-sklearn

The Rust test tests/native/week4_embedding.rs recomputes the held-out verification accuracy through tract.
"""
import json
import pathlib
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# The same input and augmentation as LeNet-5 (this script's folder is on sys.path when run).
from train_lenet import lenet_input, shift

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "www" / "models"
SEED = 0
EPOCHS = 120
ALPHA = 1.0
PER_CLASS = 8


class Embedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5)
        self.conv2 = nn.Conv2d(8, 16, 5)
        self.fc1 = nn.Linear(400, 64)
        self.fc2 = nn.Linear(64, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def squared_distances(f):
    return ((f[:, None, :] - f[None, :, :]) ** 2).sum(-1)


def mined_triplet_loss(f, y):
    """Online mining: the mean of L(A, P, N) over the batch's triplets that still violate the
    margin (hard and semi-hard ones); easy triplets, already satisfied, do not dilute it."""
    d = squared_distances(f)
    same = y[:, None] == y[None, :]
    eye = torch.eye(len(y), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & ~same[:, None, :]
    loss = F.relu(d[:, :, None] - d[:, None, :] + ALPHA)[valid]
    positive = loss[loss > 1e-9]
    return positive.mean() if len(positive) else loss.sum()


def verification(f, y):
    """Balanced accuracy (mean of same- and different-pair accuracy) at the best threshold τ over
    all pairs: the figure tests/native/week4_embedding.rs recomputes."""
    d = ((f[:, None, :] - f[None, :, :]) ** 2).sum(-1)
    iu = np.triu_indices(len(y), 1)
    d, same = d[iu], (y[:, None] == y[None, :])[iu]
    best = (0.0, 0.0)
    for tau in np.unique(np.quantile(d, np.linspace(0, 1, 2001))):
        acc = 0.5 * ((d[same] <= tau).mean() + (d[~same] > tau).mean())
        best = max(best, (acc, tau))
    return best


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    rng = np.random.default_rng(SEED)
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.2, random_state=SEED, stratify=digits.target
    )
    train, test = lenet_input(x_train), lenet_input(x_test)
    by_class = [np.flatnonzero(y_train == c) for c in range(10)]
    model = Embedding()
    print(f"{len(train)} training and {len(test)} held-out digits, {sum(p.numel() for p in model.parameters())} parameters")
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    steps = len(train) // (10 * PER_CLASS)
    t0 = time.time()
    for epoch in range(EPOCHS):
        model.train()
        for _ in range(steps):
            idx = np.concatenate([rng.choice(c, PER_CLASS, replace=False) for c in by_class])
            x = torch.from_numpy(shift(train[idx], rng))
            loss = mined_triplet_loss(model(x), torch.from_numpy(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        if epoch % 20 == 19:
            with torch.no_grad():
                acc, tau = verification(model(torch.from_numpy(test)).numpy(), y_test)
            print(f"epoch {epoch + 1}: loss {loss.item():.4f}, held-out verification {acc:.4f} at tau {tau:.3f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 32, 32), OUT / "digit-embedding.onnx",
                      input_names=["input"], output_names=["encoding"], opset_version=13)
    sidecar = {
        "name": "digit-embedding",
        "input": {"shape": [1, 1, 32, 32], "layout": "NCHW grey", "scale": "0..1: an 8x8 digit (0..16) / 16, each pixel repeated 4x4"},
        "output": {"shape": [1, 2], "meaning": "f(x), the encoding: d(x1, x2) = ||f(x1) - f(x2)||^2"},
        "loss": {"kind": "triplet, mean over the batch triplets with a positive loss", "alpha": ALPHA, "batch": f"10 classes x {PER_CLASS}"},
        "heldOutVerification": {"balancedAccuracy": round(float(acc), 4), "tau": round(float(tau), 4)},
        "training": {"script": "data/digits/train_embedding.py", "torchSeed": SEED, "splitSeed": SEED, "epochs": EPOCHS,
                      "torch": torch.__version__},
        "data": "scikit-learn load_digits: UCI Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998), CC BY 4.0",
        "licence": "weights: MIT OR Apache-2.0, like the crate",
    }
    (OUT / "digit-embedding.json").write_text(json.dumps(sidecar, indent=2) + "\n")
    print(f"held-out verification {acc:.4f} at tau {tau:.4f}")


if __name__ == "__main__":
    main()
