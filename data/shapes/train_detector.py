#!/usr/bin/env python3
"""Trains the playground's shapes detector: a tiny YOLO-style CNN (lecture 31's setting) on
procedurally generated 96x96 scenes of circles, squares and triangles, and exports it to
www/models/shapes-detector.onnx with its decoding parameters in shapes-detector.json.

Data and targets come from the crate itself (`cargo run --example make_scenes`, i.e.
src/course/scenes.rs and scenes::training_target: the lecture's YOLO target, plus the second anchor
of the cell for shapes both anchors fit, so that non-max suppression has duplicates to remove in
the detector lab), so training sees exactly what the page and the mAP test
(tests/native/week3_trained_detectors.rs) see. Nothing is downloaded. Debian's CPU PyTorch (apt install python3-torch).

    cargo run --example make_scenes -- 1000000 40000 /tmp/scenes_train.bin
    cargo run --example make_scenes -- 2000000 500 /tmp/scenes_val.bin
    /usr/bin/python3 data/shapes/train_detector.py /tmp/scenes_train.bin /tmp/scenes_val.bin

Seed 0 for PyTorch; training scenes are seeds 1000000..1039999, validation 2000000..2000499, and
the mAP test in tests/native/week3_trained_detectors.rs uses seeds 0..299, which neither touches.
"""
import json
import math
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
CLASSES = ["circle", "square", "triangle"]
SEED = 0
EPOCHS = 12
BATCH = 64


def read_scenes(path):
    data = pathlib.Path(path).read_bytes()
    assert data[:4] == b"SCN2", "not a make_scenes SCN2 file"
    count, size, grid, anchors, classes = struct.unpack_from("<5I", data, 4)
    off = 24
    anchor_sizes = np.frombuffer(data, "<f4", anchors * 2, off).reshape(anchors, 2).copy()
    off += anchors * 8
    fields = 5 + classes
    images = np.empty((count, 3, size, size), np.uint8)
    targets = np.empty((count, grid, grid, anchors, fields), np.float32)
    boxes = []
    for i in range(count):
        (n,) = struct.unpack_from("<I", data, off)
        off += 4
        objs = []
        for _ in range(n):
            c, x1, y1, x2, y2 = struct.unpack_from("<I4f", data, off)
            off += 20
            objs.append((c, x1, y1, x2, y2))
        boxes.append(objs)
        images[i] = np.frombuffer(data, np.uint8, 3 * size * size, off).reshape(3, size, size)
        off += 3 * size * size
        targets[i] = np.frombuffer(data, "<f4", grid * grid * anchors * fields, off).reshape(
            grid, grid, anchors, fields
        )
        off += 4 * grid * grid * anchors * fields
    meta = dict(size=size, grid=grid, anchors=anchor_sizes, classes=classes)
    return images, targets, boxes, meta


def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.1)]


class TinyYolo(nn.Module):
    """96x96x3 → 6x6 grid: four conv+pool stages (96→48→24→12→6), one more conv, a 1x1 head.
    Narrow first layers keep training to about 25 minutes on 2 CPU cores."""

    def __init__(self, anchors, classes):
        super().__init__()
        layers = []
        for cin, cout in [(3, 8), (8, 24), (24, 48), (48, 96)]:
            layers += block(cin, cout) + [nn.MaxPool2d(2)]
        layers += block(96, 96)
        layers += [nn.Conv2d(96, anchors * (5 + classes), 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def yolo_loss(out, target, anchors):
    b, _, s, _ = out.shape
    a = anchors.shape[0]
    p = out.view(b, a, -1, s, s).permute(0, 3, 4, 1, 2)  # [B, S, S, A, 5 + C] like the target
    mask = target[..., 0] > 0.5
    obj = F.binary_cross_entropy_with_logits(p[..., 4], target[..., 0], reduction="none")
    obj = (obj * torch.where(mask, 1.0, 0.5)).sum() / b
    if mask.any():
        pm, tm = p[mask], target[mask]
        anchor = anchors.expand(b, s, s, a, 2)[mask]  # (w, h) per assigned slot
        xy = F.binary_cross_entropy_with_logits(pm[:, 0:2], tm[:, 1:3], reduction="sum")
        # Target fields are [p_c, b_x, b_y, b_h, b_w, classes…]; prediction [t_x, t_y, t_w, t_h, …].
        tw = torch.log(tm[:, 4] / anchor[:, 0])
        th = torch.log(tm[:, 3] / anchor[:, 1])
        wh = ((pm[:, 2] - tw) ** 2 + (pm[:, 3] - th) ** 2).sum() * 2.0
        cls = F.cross_entropy(pm[:, 5:], tm[:, 5:].argmax(1), reduction="sum")
        box = (xy + wh + cls) / b
    else:
        box = out.sum() * 0
    return obj + box


def decode(out, anchors, grid):
    """The same decoding as detect::yolo_decode, for validation during training."""
    b, _, s, _ = out.shape
    a = anchors.shape[0]
    p = out.view(b, a, -1, s, s).permute(0, 3, 4, 1, 2)
    rows = torch.arange(s).view(1, s, 1, 1).float()
    cols = torch.arange(s).view(1, 1, s, 1).float()
    x = (cols + torch.sigmoid(p[..., 0])) / s
    y = (rows + torch.sigmoid(p[..., 1])) / s
    w = anchors[:, 0] * torch.exp(p[..., 2]) / s
    h = anchors[:, 1] * torch.exp(p[..., 3]) / s
    prob = torch.softmax(p[..., 5:], -1)
    cp, cls = prob.max(-1)
    score = torch.sigmoid(p[..., 4]) * cp
    boxes = torch.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], -1)
    return boxes.reshape(b, -1, 4), score.reshape(b, -1), cls.reshape(b, -1)


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def mean_ap(dets, truths, classes):
    """VOC all-point AP at IoU 0.5 per class, averaged (monitoring only; the judged number is
    computed in Rust through tract by tests/native/week3_trained_detectors.rs)."""
    aps = []
    for c in range(classes):
        found = [(s, i, b) for i, d in enumerate(dets) for (b, s, k) in d if k == c]
        found.sort(key=lambda t: -t[0])
        gts = {i: [g[1:] for g in t if g[0] == c] for i, t in enumerate(truths)}
        total = sum(len(v) for v in gts.values())
        used = {i: [False] * len(v) for i, v in gts.items()}
        tp = []
        for _, i, b in found:
            best, bj = 0.0, -1
            for j, g in enumerate(gts[i]):
                o = iou(b, g)
                if o > best:
                    best, bj = o, j
            hit = best >= 0.5 and not used[i][bj]
            if hit:
                used[i][bj] = True
            tp.append(hit)
        tp = np.array(tp, float)
        if total == 0:
            continue
        ctp = np.cumsum(tp)
        recall = ctp / total
        precision = ctp / np.arange(1, len(tp) + 1)
        r = np.concatenate([[0], recall, [1]])
        p = np.concatenate([[0], precision, [0]])
        for k in range(len(p) - 2, -1, -1):
            p[k] = max(p[k], p[k + 1])
        aps.append(float(np.sum((r[1:] - r[:-1]) * p[1:])))
    return float(np.mean(aps))


def nms(boxes, scores, classes, score_threshold=0.05, iou_threshold=0.45):
    order = [i for i in np.argsort(-scores) if scores[i] > score_threshold]
    kept = []
    for i in order:
        if all(classes[k] != classes[i] or iou(boxes[i], boxes[k]) < iou_threshold for k in kept):
            kept.append(i)
    return [(boxes[i].tolist(), float(scores[i]), int(classes[i])) for i in kept]


def evaluate(model, images, boxes, anchors, grid):
    model.eval()
    dets = []
    with torch.no_grad():
        for start in range(0, len(images), 100):
            x = torch.from_numpy(images[start : start + 100]).float() / 255
            bx, sc, cl = decode(model(x), anchors, grid)
            for k in range(len(x)):
                dets.append(nms(bx[k].numpy(), sc[k].numpy(), cl[k].numpy()))
    model.train()
    return mean_ap(dets, boxes, len(CLASSES))


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    images, targets, _, meta = read_scenes(sys.argv[1])
    val_images, _, val_boxes, _ = read_scenes(sys.argv[2])
    anchors = torch.from_numpy(meta["anchors"])
    model = TinyYolo(len(anchors), meta["classes"])
    params = sum(p.numel() for p in model.parameters())
    print(f"{len(images)} training scenes, {params} parameters, anchors {meta['anchors'].tolist()}")
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps = EPOCHS * math.ceil(len(images) / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(SEED)
    t0 = time.time()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(images), generator=gen)
        total = 0.0
        for start in range(0, len(images), BATCH):
            idx = order[start : start + BATCH].numpy()
            x = torch.from_numpy(images[idx]).float() / 255
            y = torch.from_numpy(targets[idx])
            loss = yolo_loss(model(x), y, anchors)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        m = evaluate(model, val_images, val_boxes, anchors, meta["grid"]) if epoch % 3 == 2 or epoch == EPOCHS - 1 else float("nan")
        print(f"epoch {epoch + 1}: loss {total / len(images):.4f}, validation mAP@0.5 {m:.3f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    OUT.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, 3, meta["size"], meta["size"])
    torch.onnx.export(
        model, dummy, OUT / "shapes-detector.onnx", input_names=["input"], output_names=["output"],
        opset_version=13, do_constant_folding=True,
    )
    sidecar = {
        "name": "shapes-detector",
        "input": {"shape": [1, 3, meta["size"], meta["size"]], "layout": "NCHW RGB", "scale": "0..1 (pixel / 255)"},
        "output": {"shape": [1, len(anchors) * (5 + meta["classes"]), meta["grid"], meta["grid"]],
                   "layout": "channel a·(5 + C) + field, fields [t_x, t_y, t_w, t_h, t_o, class logits…]"},
        "gridAndAnchors": "scenes::detector_spec() in src/course/scenes.rs, the one place they are written "
                          "(this script read them from make_scenes' output; the page's Detector uses them)",
        "classes": CLASSES,
        "decode": "x = (col + σ(t_x)) / S, y = (row + σ(t_y)) / S, w = a_w·e^{t_w} / S, h = a_h·e^{t_h} / S, score = σ(t_o)·softmax(logits)",
        "training": {
            "script": "data/shapes/train_detector.py", "torchSeed": SEED, "epochs": EPOCHS,
            "scenes": "seeds 1000000..1039999 of src/course/scenes.rs", "torch": torch.__version__,
            "validationMap50": round(evaluate(model, val_images, val_boxes, anchors, meta["grid"]), 4),
        },
        "licence": "MIT OR Apache-2.0, like the crate (weights trained by the project on generated data)",
    }
    (OUT / "shapes-detector.json").write_text(json.dumps(sidecar, indent=2) + "\n")
    print("wrote", OUT / "shapes-detector.onnx")


if __name__ == "__main__":
    main()
