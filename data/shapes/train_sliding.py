#!/usr/bin/env python3
"""Trains lecture 26's sliding-windows classifier and exports it fully convolutional:
www/models/sliding-windows.onnx.

The network is the lecture's: 14x14x3 → conv 5x5, 16 filters → 10x10x16 → max pool 2x2 →
5x5x16 → "FC 400" as a 5x5 convolution with 400 filters → 1x1x400 → "FC 400" as a 1x1
convolution → "softmax 4" as a 1x1 convolution with 4 filters and a softmax over channels. Classes:
circle, square, triangle, background. Because every layer is a convolution, the same weights run
on 16x16 (→ 2x2x4) and 28x28 (→ 8x8x4) inputs: the ONNX input has symbolic height and width.

It learns from two kinds of examples the crate writes (`cargo run --example make_patches`,
src/course/scenes.rs): single 14x14 patches with their class (`patch`), and 28x28 mosaics of four
patches with the class of each of their 64 windows at stride 2 (`patch_mosaic`, `window_labels`:
the shape whose centre the window holds, else background). Trained on whole mosaics, the 8x8 output
learns to say where the shapes are, not only what a centred patch holds. Seeds 3000000.. for
training, 4000000.. for validation; the page's mosaics use seeds below 100000 and the native test's
held-out mosaics 6000000... Debian's CPU PyTorch (`apt install python3-torch`), seed 0.

    cargo run --release --example make_patches -- patches 3000000 60000 /tmp/patches_train.bin
    cargo run --release --example make_patches -- patches 4000000 2000 /tmp/patches_val.bin
    cargo run --release --example make_patches -- mosaics 3000000 30000 /tmp/mosaics_train.bin
    cargo run --release --example make_patches -- mosaics 4000000 1000 /tmp/mosaics_val.bin
    cargo run --release --example make_patches -- mosaics 6000000 200 /tmp/mosaics_test.bin
    /usr/bin/python3 data/shapes/train_sliding.py /tmp/patches_train.bin /tmp/patches_val.bin \
        /tmp/mosaics_train.bin /tmp/mosaics_val.bin /tmp/mosaics_test.bin

The last file is only measured once, after training: the held-out window accuracy the page quotes
(tests/native/week3_trained_detectors.rs measures the same mosaics again through tract).
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
MOSAIC_BATCH = 32


def read_items(path, magic, labels):
    """Images [n, 3, side, side] (uint8) and their labels [n, labels] from a make_patches file."""
    data = pathlib.Path(path).read_bytes()
    assert data[:4] == magic, f"not a make_patches {magic} file"
    count, size = struct.unpack_from("<2I", data, 4)
    rec = labels + 3 * size * size
    raw = np.frombuffer(data, np.uint8, count * rec, 12).reshape(count, rec)
    return raw[:, labels:].reshape(count, 3, size, size).copy(), raw[:, :labels].astype(np.int64)


def window_accuracy(model, x, y):
    with torch.no_grad():
        pred = model.logits(torch.from_numpy(x).float() / 255).flatten(2).argmax(1).numpy()
    return float((pred == y).mean())


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
    x, y = read_items(sys.argv[1], b"PAT1", 1)
    vx, vy = read_items(sys.argv[2], b"PAT1", 1)
    mx, my = read_items(sys.argv[3], b"MOS1", 64)
    vmx, vmy = read_items(sys.argv[4], b"MOS1", 64)
    model = SlidingWindows()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(SEED)
    t0 = time.time()
    for epoch in range(EPOCHS):
        if epoch == EPOCHS - 2:
            for group in opt.param_groups:
                group["lr"] = 2e-4
        order = torch.randperm(len(mx), generator=gen).numpy()
        patch_order = torch.randperm(len(x), generator=gen).numpy()
        for step, start in enumerate(range(0, len(mx), MOSAIC_BATCH)):
            idx = order[start : start + MOSAIC_BATCH]
            logits = model.logits(torch.from_numpy(mx[idx]).float() / 255)  # [b, 4, 8, 8]
            loss = F.cross_entropy(logits, torch.from_numpy(my[idx]).view(-1, 8, 8))
            p = patch_order[(step * BATCH) % len(x) :][:BATCH]
            patch_logits = model.logits(torch.from_numpy(x[p]).float() / 255).flatten(1)
            loss = loss + F.cross_entropy(patch_logits, torch.from_numpy(y[p, 0]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        acc = window_accuracy(model, vx, vy)
        macc = window_accuracy(model, vmx, vmy)
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, validation accuracy {acc:.4f} on patches, "
              f"{macc:.4f} on mosaic windows ({time.time() - t0:.0f} s)", flush=True)
    tx, ty = read_items(sys.argv[5], b"MOS1", 64)
    test_acc = window_accuracy(model, tx, ty)
    print(f"held-out mosaics: {test_acc:.4f} of {ty.size} windows right", flush=True)
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
                      "mosaics": f"{len(mx)} of src/course/scenes.rs patch_mosaic from seed 3000000 (step 4), each window labelled by window_labels",
                      "mosaicWindowValidationAccuracy": round(macc, 4),
                      "heldOutMosaics": len(tx), "heldOutWindowAccuracy": round(test_acc, 4),
                      "torch": torch.__version__},
        "licence": "MIT OR Apache-2.0, like the crate (weights trained by the project on generated data)",
    }
    (OUT / "sliding-windows.json").write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    print("wrote", OUT / "sliding-windows.onnx")


if __name__ == "__main__":
    main()
