#!/usr/bin/env python3
"""The models of tests/bench-train.c in PyTorch, for a side-by-side figure.

One epoch each with 2 threads (--threads N) on Fashion-MNIST (the IDX
files, read with numpy and gzip; generated images when DATA_DIR has none):
  784-128-10 drop  batch 32   Adam (seed 003: Dropout 0.2)
  784-128-10       batch 32   Adam
  784-512-512-10   batch 128  RMSprop (Keras' rho 0.9, epsilon 1e-7)
  MNIST CNN        batch 128  Adam
  CIFAR-10 CNN     batch 64   Adam, on 2560 generated 32x32x3 images
Prints samples/s and peak RSS.  Needs python3-torch and python3-numpy
(Debian: apt install python3-torch python3-numpy); the tests do not run it.

  /usr/bin/python3 tools/bench-pytorch.py [--threads N] [--lean] [--models P,...] [--samples N]
                                          [--warmup STEPS] [--tsv] [DATA_DIR]

Each timed epoch follows --warmup untimed training steps (default 5), so
that oneDNN's kernel creation and the allocator's first requests are not
counted against PyTorch.

--lean leaves out the per-batch .item() calls (loss and accuracy are summed
as tensors and read once at the end), as a tuned PyTorch loop would.
--models takes the Layerlab preset names (mlp-128-dropout, fashion-mlp,
mlp-512-512, mnist-cnn, cifar10-cnn).  --tsv adds a line
"result PRESET SAMPLES/S PEAK-RSS-MIB" per model.  The peak RSS is the
process's: run one model per process (tools/bench-compare.sh does) for a
per-model figure.
"""
import argparse
import gzip
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{stem} not found in {data_dir}")


def mlp(hidden, dropout):
    layers = [nn.Flatten()]
    n_in = 784
    for units in hidden:
        layers += [nn.Linear(n_in, units), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        n_in = units
    layers.append(nn.Linear(n_in, 10))
    return nn.Sequential(*layers)


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10))


def cifar_cnn():
    """The cifar10-cnn preset: 3x3 convolutions without bias, batch norm
    (Keras momentum 0.99 is PyTorch's 0.01), relu; GAP; Dense 300. The preset's
    L2 of 1e-5 on the Dense kernel is left out: it costs nothing measurable."""
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]
    return nn.Sequential(
        *block(3, 32), *block(32, 32), nn.MaxPool2d(2),
        *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
        *block(64, 128), *block(128, 128), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(128, 300), nn.ReLU(), nn.Dropout(0.3), nn.Linear(300, 10))


def one_epoch(label, preset, model, opt, x, y, batch, lean, tsv, warmup):
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    n = x.shape[0]
    order = torch.randperm(n)
    # Untimed steps first: oneDNN builds its kernels and the allocator its
    # pools on the first batches, which a longer run would not pay again.
    for start in range(0, min(warmup, n // batch) * batch, batch):
        idx = order[start:start + batch]
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()
    t0 = time.perf_counter()
    if lean:
        total = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
    else:
        total, correct = 0.0, 0
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        xb, yb = x[idx], y[idx]
        opt.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        opt.step()
        if lean:
            with torch.no_grad():
                total += loss.detach() * len(idx)
                correct += (out.argmax(1) == yb).sum()
        else:
            total += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
    total, correct = float(total), int(correct)
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:16s} batch {batch:4d}  {n / secs:9.0f} samples/s  {secs:6.1f} s  "
          f"loss {total / n:.4f} acc {correct / n:.4f}  peak RSS {rss:6.1f} MiB (cumulative)"
          f"{'  lean' if lean else ''}", flush=True)
    if tsv:
        print(f"result\t{preset}\t{n / secs:.1f}\t{rss:.1f}", flush=True)


def adam(m):
    return torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)


# preset: (label, batch, build model, optimizer, on CIFAR-sized data)
MODELS = {
    "mlp-128-dropout": ("784-128-10 drop", 32, lambda: mlp([128], 0.2), adam, False),
    "fashion-mlp": ("784-128-10", 32, lambda: mlp([128], 0.0), adam, False),
    "mlp-512-512": ("784-512-512-10", 128, lambda: mlp([512, 512], 0.2),
                    lambda m: torch.optim.RMSprop(m.parameters(), lr=1e-3, alpha=0.9, eps=1e-7),
                    False),
    "mnist-cnn": ("MNIST CNN", 128, cnn, adam, False),
    "cifar10-cnn": ("CIFAR-10 CNN", 64, cifar_cnn, adam, True),
}


def main():
    ap = argparse.ArgumentParser(description="PyTorch side of tests/bench-train.c")
    ap.add_argument("data_dir", nargs="?", default=DEFAULT_DIR)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lean", action="store_true", help="no per-batch .item() calls")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--samples", type=int, default=0, help="the first N images (default: all)")
    ap.add_argument("--tsv", action="store_true")
    ap.add_argument("--warmup", type=int, default=5, help="untimed training steps before the epoch (default 5)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    try:
        images = read_idx(find(args.data_dir, "train-images-idx3-ubyte"))
        labels = read_idx(find(args.data_dir, "train-labels-idx1-ubyte"))
        what = args.data_dir
    except FileNotFoundError:
        # As bench-train without data: generated images (speed does not depend on them).
        images = np.random.default_rng(1).integers(0, 256, (10000, 28, 28), dtype=np.uint8)
        labels = np.random.default_rng(2).integers(0, 10, 10000, dtype=np.uint8)
        what = "generated images"
    if args.samples > 0:
        images, labels = images[:args.samples], labels[:args.samples]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)   # N×1×28×28
    y = torch.from_numpy(labels.astype(np.int64))
    print(f"# PyTorch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"one epoch of {x.shape[0]} images from {what}", flush=True)

    for preset in args.models.split(","):
        if preset not in MODELS:
            sys.exit(f"bench-pytorch: unknown model {preset}; choose from {', '.join(MODELS)}")
        label, batch, build, optim, cifar = MODELS[preset]
        if cifar:
            # As bench-train: 2560 generated 32x32x3 images (speed does not depend on them).
            xs, ys = torch.rand(2560, 3, 32, 32), torch.randint(0, 10, (2560,))
        else:
            xs, ys = x, y
        m = build()
        one_epoch(label, preset, m, optim(m), xs, ys, batch, args.lean, args.tsv, args.warmup)


if __name__ == "__main__":
    main()
