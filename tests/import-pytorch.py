# import-pytorch.py KIND DIR N: PyTorch builds the model KIND with random
# weights (and random batch-norm statistics), exports it to DIR/model.onnx
# and writes its outputs for the N images of DIR/inputs.bin (float32,
# [N, H, W, C] channels last, as Layerlab feeds them) to DIR/outputs.bin.
# Used by tests/test-import.c; no network.
import sys
import numpy as np
import torch
import torch.nn as nn

kind, out_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# "-folded": PyTorch's default export, which folds batch norm into the
# convolution before it.
folded = kind.endswith("-folded")
kind = kind[:-len("-folded")] if folded else kind
torch.manual_seed(4)


def cbr(cin, cout):
    # Conv 3x3 "same" without bias, batch norm before relu (seed 004).
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


if kind == "mlp":
    # The Keras beginner MLP, with a batch norm on the hidden units; opset 9.
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(),
                          nn.Dropout(0.2), nn.Linear(128, 10))
    shape, opset = (28, 28, 1), 9
elif kind == "mnist-cnn":
    # The Keras mnist_cnn example: Flatten after a 64-channel convolution.
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10), nn.Softmax(dim=1))
    shape, opset = (28, 28, 1), 13
elif kind == "cifar-bn":
    # The CIFAR-10 CNN of seed 004 (two blocks): batch norm, max pooling,
    # global average pooling, Dense 300; opset 17.
    model = nn.Sequential(*cbr(3, 32), *cbr(32, 32), nn.MaxPool2d(2),
                          *cbr(32, 64), *cbr(64, 64), nn.MaxPool2d(2),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
                          nn.Linear(64, 300), nn.ReLU(), nn.Dropout(0.3), nn.Linear(300, 10))
    shape, opset = (32, 32, 3), 17
else:
    raise SystemExit("unknown model " + kind)

for m in model.modules():
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        c = m.num_features
        m.running_mean.copy_(torch.randn(c) * 0.2)
        m.running_var.copy_(torch.rand(c) + 0.5)
        m.weight.data.copy_(1 + 0.2 * torch.randn(c))
        m.bias.data.copy_(0.2 * torch.randn(c))
model.eval()

h, w, c = shape
# PRESERVE (the model is in eval mode) keeps BatchNormalization nodes:
# the default EVAL folds them into the convolutions before export.
mode = torch.onnx.TrainingMode.EVAL if folded else torch.onnx.TrainingMode.PRESERVE
torch.onnx.export(model, torch.zeros(1, c, h, w), out_dir + "/model.onnx", opset_version=opset,
                  training=mode, do_constant_folding=folded,
                  input_names=["images"], output_names=["scores"],
                  dynamic_axes={"images": {0: "N"}, "scores": {0: "N"}})
x = np.fromfile(out_dir + "/inputs.bin", dtype="<f4").reshape(n, h, w, c)
with torch.no_grad():
    y = model(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous())
np.ascontiguousarray(y.numpy(), dtype="<f4").tofile(out_dir + "/outputs.bin")
print(kind + ("-folded" if folded else ""), "torch", torch.__version__, "opset", opset, "output", tuple(y.shape))
