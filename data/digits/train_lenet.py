#!/usr/bin/env python3
"""Trains LeNet-5 (lectures 10 and 13) on the handwritten digits bundled in scikit-learn and
exports www/models/lenet5-digits.onnx with a JSON sidecar.

Data: `sklearn.datasets.load_digits()` — 1797 8x8 images, values 0..16, from the UCI "Optical
Recognition of Handwritten Digits" set (CC BY 4.0); it ships inside the scikit-learn package, so
nothing is downloaded. Each 8x8 image becomes the 32x32x1 LeNet input by repeating every pixel
4x4 and dividing by 16 (values 0..1), exactly what the crate's `digits::lenet_input` does for the
page's drawings. Split: a fixed 20 % held out (stratified, seed 0); the remaining 80 % train with
shifts of up to 2 input pixels as augmentation.

Network (LeCun et al., 1998, as in lecture 13, with ReLU and max pooling as the course's lecture
10 variant): 32x32x1 → conv 5x5 ×6 → 28x28x6 → max pool 2 → 14x14x6 → conv 5x5 ×16 → 10x10x16 →
max pool 2 → 5x5x16 → 400 → FC 120 → FC 84 → FC 10 → softmax. 61,706 parameters.

    /usr/bin/python3 data/digits/train_lenet.py          # Debian python3-torch, python3-sklearn

Lecture 22's ensemble: the same network trained again with other seeds for the weights, the order
of the batches and the shifts (the held-out split stays seed 0), written as
www/models/lenet5-digits-seed<K>.onnx with its sidecar:

    for k in 1 2 3 4; do /usr/bin/python3 data/digits/train_lenet.py --seed $k; done

Also writes www/models/digits-heldout.bin: the held-out 8x8 images and labels (u8), so the Rust
test recomputes the accuracy through tract on the same 360 images.
"""
import json
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "www" / "models"
SEED = 0
EPOCHS = 60


def lenet_input(images8):
    """8x8 digits in 0..16 → N×1×32×32 in 0..1, each pixel repeated 4×4 (as digits::lenet_input)."""
    return np.kron(images8.reshape(-1, 1, 8, 8) / 16.0, np.ones((1, 1, 4, 4))).astype(np.float32)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def logits(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def shift(batch, rng):
    """Random shifts of up to 2 pixels of the 8x8 grid (8 of the 32 input pixels), zero filled."""
    out = np.zeros_like(batch)
    for i, img in enumerate(batch):
        dy, dx = rng.integers(-1, 2, size=2) * 4
        src = img[:, max(0, -dy) : 32 - max(0, dy), max(0, -dx) : 32 - max(0, dx)]
        out[i, :, max(0, dy) : max(0, dy) + src.shape[1], max(0, dx) : max(0, dx) + src.shape[2]] = src
    return out


def main():
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else SEED
    name = "lenet5-digits" if seed == SEED else f"lenet5-digits-seed{seed}"
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    rng = np.random.default_rng(seed)
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.2, random_state=SEED, stratify=digits.target
    )
    train, test = lenet_input(x_train), lenet_input(x_test)
    model = LeNet5()
    print(f"{len(train)} training and {len(test)} held-out digits, {sum(p.numel() for p in model.parameters())} parameters")
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    t0 = time.time()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(train))
        for start in range(0, len(train), 64):
            idx = order[start : start + 64]
            x = torch.from_numpy(shift(train[idx], rng))
            loss = F.cross_entropy(model.logits(x), torch.from_numpy(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        if epoch % 10 == 9:
            with torch.no_grad():
                acc = float((model.logits(torch.from_numpy(test)).argmax(1).numpy() == y_test).mean())
            print(f"epoch {epoch + 1}: loss {loss.item():.4f}, held-out accuracy {acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    OUT.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, 32, 32), OUT / f"{name}.onnx",
                      input_names=["input"], output_names=["output"], opset_version=13)
    held = np.concatenate([y_test.reshape(-1, 1), x_test.reshape(-1, 64)], axis=1).astype(np.uint8)
    if seed == SEED:
        (OUT / "digits-heldout.bin").write_bytes(b"DIG1" + held.tobytes())
    sidecar = {
        "name": name,
        "input": {"shape": [1, 1, 32, 32], "layout": "NCHW grey", "scale": "0..1: an 8x8 digit (0..16) / 16, each pixel repeated 4x4"},
        "output": {"shape": [1, 10], "meaning": "probabilities of the digits 0-9 (softmax)"},
        "classes": [str(d) for d in range(10)],
        "heldOutAccuracy": round(acc, 4),
        "heldOut": "www/models/digits-heldout.bin: b'DIG1' then per digit 1 label byte and 64 pixel bytes (0..16)",
        "training": {"script": "data/digits/train_lenet.py", "torchSeed": seed, "splitSeed": SEED, "epochs": EPOCHS,
                      "torch": torch.__version__},
        "data": "scikit-learn load_digits: UCI Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998), CC BY 4.0",
        "licence": "weights: MIT OR Apache-2.0, like the crate",
    }
    (OUT / f"{name}.json").write_text(json.dumps(sidecar, indent=2) + "\n")
    print("wrote", OUT / f"{name}.onnx", "held-out accuracy", acc)


if __name__ == "__main__":
    main()
