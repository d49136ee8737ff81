#!/usr/bin/env python3
"""Generates tests/fixtures/nms_onnxruntime.txt: random box sets run through onnxruntime's
NonMaxSuppression, the peer the Rust NMS (src/course/detect.rs) is checked against by
tests/native/week3_detection.rs.

Seed 7, 60 cases of 5 to 60 boxes in up to 3 classes, clustered so that suppression happens.
ONNX NMS takes boxes as [y1, x1, y2, x2] and scores per class; a box only scores in its own class
(-1 elsewhere, below every score threshold used). Its suppression rule is IoU > threshold and ours
is IoU >= threshold; random float boxes never hit the threshold exactly, so the two agree.

Run (onnxruntime and onnx from PyPI, MIT and Apache-2.0 licences; nothing of them is committed):
    python3 -m venv /tmp/ortvenv && /tmp/ortvenv/bin/pip install onnxruntime onnx numpy
    /tmp/ortvenv/bin/python data/nms/make_fixtures.py
"""
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

SEED = 7
CASES = 60
OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "nms_onnxruntime.txt"


def nms_model(classes):
    node = helper.make_node(
        "NonMaxSuppression",
        ["boxes", "scores", "max_out", "iou", "score"],
        ["selected"],
        center_point_box=0,
    )
    graph = helper.make_graph(
        [node],
        "nms",
        [
            helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, None, 4]),
            helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, classes, None]),
            helper.make_tensor_value_info("max_out", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("iou", TensorProto.FLOAT, [1]),
            helper.make_tensor_value_info("score", TensorProto.FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, [None, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def main():
    rng = np.random.default_rng(SEED)
    lines = [
        "# Made by data/nms/make_fixtures.py (seed 7) with onnxruntime "
        + ort.__version__
        + "'s NonMaxSuppression.",
        "# Per case: boxes x1 y1 x2 y2 …, scores, classes, thresholds (score, IoU), kept (class by",
        "# class, each by descending score).",
    ]
    sessions = {}
    for _ in range(CASES):
        n = int(rng.integers(5, 61))
        classes = int(rng.integers(1, 4))
        centres = rng.uniform(0, 100, size=(int(rng.integers(1, 6)), 2))
        pick = rng.integers(0, len(centres), size=n)
        c = centres[pick] + rng.normal(0, 4, size=(n, 2))
        wh = rng.uniform(5, 30, size=(n, 2))
        boxes = np.concatenate([c - wh / 2, c + wh / 2], axis=1).astype(np.float32)
        scores = rng.uniform(0, 1, size=n).astype(np.float32)
        cls = rng.integers(0, classes, size=n)
        score_threshold = np.float32(rng.uniform(0, 0.5))
        iou_threshold = np.float32(rng.uniform(0.3, 0.7))
        per_class = np.full((1, classes, n), -1.0, dtype=np.float32)
        per_class[0, cls, np.arange(n)] = scores
        yxyx = boxes[:, [1, 0, 3, 2]][None]
        session = sessions.setdefault(classes, nms_model(classes))
        selected = session.run(
            None,
            {
                "boxes": yxyx,
                "scores": per_class,
                "max_out": np.array([n], dtype=np.int64),
                "iou": np.array([iou_threshold], dtype=np.float32),
                "score": np.array([score_threshold], dtype=np.float32),
            },
        )[0]
        kept = [int(row[2]) for row in selected]
        fmt = lambda xs: " ".join(repr(float(x)) for x in xs)
        lines += [
            "case",
            "boxes " + fmt(boxes.reshape(-1)),
            "scores " + fmt(scores),
            "classes " + " ".join(str(int(x)) for x in cls),
            f"thresholds {float(score_threshold)!r} {float(iou_threshold)!r}",
            "kept " + " ".join(str(k) for k in kept),
        ]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {CASES} cases to {OUT}")


if __name__ == "__main__":
    main()
