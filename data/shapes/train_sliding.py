#!/usr/bin/env python3
"""Trains lecture 26's sliding-windows classifier and exports it fully convolutional:
www/models/sliding-windows.onnx.

The network is the lecture's: 14x14x3 → conv 5x5, 16 filters → 10x10x16 → max pool 2x2 →
5x5x16 → "FC 400" as a 5x5 convolution with 400 filters → 1x1x400 → "FC 400" as a 1x1
convolution → "softmax 4" as a 1x1 convolution with 4 filters and a softmax over channels. Classes:
circle, square, triangle, background. Because every layer is a convolution, the same weights run
on 16x16 (→ 2x2x4) and 28x28 (→ 8x8x4) inputs: the ONNX input has symbolic height and width.

Patches come from the crate (`cargo run --example make_patches`, src/course/scenes.rs `patch`): seeds
3000000.. for training, 4000000.. for validation; the page's mosaics use seeds below 100000.
Debian's CPU PyTorch (`apt install python3-torch`), seed 0.

    cargo run --example make_patches -- 3000000 60000 /tmp/patches_train.bin
    cargo run --example make_patches -- 4000000 2000 /tmp/patches_val.bin
    /usr/bin/python3 data/shapes/train_sliding.py /tmp/patches_train.bin /tmp/patches_val.bin
"""
import json
import pathlib
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "www" / "models"
CLASSES = ["circle", "square", "triangle", "background"]
SEED = 0
EPOCHS = 8
BATCH = 128


def read_patches(path):
    data = pathlib.Path(path).read_bytes()
    assert data[:4] == b"PAT1", "not a make_patches file"
    count, size = struct.unpack_from("<2I", data, 4)
    rec = 1 + 3 * size * size
    raw = np.frombuffer(data, np.uint8, count * rec, 12).reshape(count, rec)
    return raw[:, 1:].reshape(count, 3, size, size).copy(), raw[:, 0].astype(np.int64)


class SlidingWindows(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.fc1 = nn.Conv2d(16, 400, 5)  # FC 400 as a 5x5 convolution
        self.fc2 = nn.Conv2d(400, 400, 1)  # FC 400 as a 1x1 convolution
        self.out = nn.Conv2d(400, 4, 1)  # softmax layer as a 1x1 convolution

    def logits(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    x, y = read_patches(sys.argv[1])
    vx, vy = read_patches(sys.argv[2])
    model = SlidingWindows()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(SEED)
    t0 = time.time()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(x), generator=gen)
        for start in range(0, len(x), BATCH):
            idx = order[start : start + BATCH].numpy()
            logits = model.logits(torch.from_numpy(x[idx]).float() / 255).flatten(1)
            loss = F.cross_entropy(logits, torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            pred = model.logits(torch.from_numpy(vx).float() / 255).flatten(1).argmax(1).numpy()
        acc = float((pred == vy).mean())
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, validation accuracy {acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    OUT.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, torch.zeros(1, 3, 14, 14), OUT / "sliding-windows.onnx",
        input_names=["input"], output_names=["output"], opset_version=13,
        dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "rows", 3: "cols"}},
    )
    sidecar = {
        "name": "sliding-windows",
        "input": {"shape": [1, 3, "height ≥ 14", "width ≥ 14"], "layout": "NCHW RGB", "scale": "0..1"},
        "output": {"shape": [1, 4, "⌊(height − 14) / 2⌋ + 1", "⌊(width − 14) / 2⌋ + 1"], "meaning": "class probabilities of each 14x14 window at stride 2"},
        "layers": [[5, 1, 0], [2, 2, 0], [5, 1, 0], [1, 1, 0], [1, 1, 0]],
        "classes": CLASSES,
        "training": {"script": "data/shapes/train_sliding.py", "torchSeed": SEED, "epochs": EPOCHS,
                      "patches": "seeds 3000000..3059999 of src/course/scenes.rs patch", "validationAccuracy": round(acc, 4),
                      "torch": torch.__version__},
        "licence": "MIT OR Apache-2.0, like the crate (weights trained by the project on generated data)",
    }
    (OUT / "sliding-windows.json").write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    print("wrote", OUT / "sliding-windows.onnx")


if __name__ == "__main__":
    main()
