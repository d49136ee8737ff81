"""Exports torchvision architectures with random weights (seed 0, nothing downloaded) to ONNX
(opset 13, input 1x3x224x224): the real-world graphs a learner would bring to the explorer and the
benchmark. The files are large (AlexNet 244 MB, VGG-11 531 MB), so they are generated, never
committed.

    /usr/bin/python3 data/torchvision/export.py OUT_DIR [name ...]

names: mobilenet_v2 resnet18 efficientnet_b0 alexnet vgg11 (all when none is given). Needs
Debian's python3-torchvision and python3-onnx (scripts/setup-tools.sh installs them). Beside each
`name.onnx`, `name.params` holds PyTorch's parameter count. Existing files are kept.
"""
import os
import sys

import torch
import torchvision

NAMES = ["mobilenet_v2", "resnet18", "efficientnet_b0", "alexnet", "vgg11"]


def export(name, out_dir):
    path = os.path.join(out_dir, f"{name}.onnx")
    params = os.path.join(out_dir, f"{name}.params")
    if os.path.exists(path) and os.path.exists(params):
        return path
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    # The framework's own parameter count, for the explorer's to be checked against (batch-norm
    # running statistics are buffers, not parameters, in PyTorch and in the explorer alike).
    with open(params, "w") as f:
        f.write(f"{sum(p.numel() for p in model.parameters())}\n")
    tmp = path + ".part"
    with torch.no_grad():
        torch.onnx.export(model, torch.rand(1, 3, 224, 224), tmp, opset_version=13,
                          input_names=["input"], output_names=["output"])
    os.replace(tmp, path)
    return path


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name in sys.argv[2:] or NAMES:
        path = export(name, out_dir)
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
