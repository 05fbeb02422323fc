# Reference for bench/train-throughput.ts: the same MLP trained in PyTorch on the same bytes, 1 epoch per batch size.
# Run with Debian's /usr/bin/python3 (python3-torch + libopenblas0-pthread); prints one JSON object on stdout.
import json
import os
import re
import sys
import time

import numpy as np
import torch
from torch import nn


def load(folder, name, dtype, cols=None):
    arr = np.fromfile(os.path.join(folder, name), dtype=dtype)
    return arr.reshape(-1, cols) if cols else arr


def main():
    folder, dim, classes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    batches = [int(b) for b in sys.argv[4].split(",")]
    torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    x_train = torch.from_numpy(load(folder, "x_train.f32", np.float32, dim))
    y_train = torch.from_numpy(load(folder, "y_train.i32", np.int32).astype(np.int64))
    x_test = torch.from_numpy(load(folder, "x_test.f32", np.float32, dim))
    y_test = torch.from_numpy(load(folder, "y_test.i32", np.int32).astype(np.int64))
    n = x_train.shape[0]
    results = {}
    for batch in batches:
        torch.manual_seed(42)
        model = nn.Sequential(
            nn.Linear(dim, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(128, classes),
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        model.train()
        # Index slicing of an in-memory tensor: the fastest way to feed torch (no DataLoader overhead).
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for b0 in range(0, n, batch):
            idx = perm[b0:b0 + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            acc = (model(x_test).argmax(1) == y_test).float().mean().item()
        results[str(batch)] = {"samples_per_s": n / seconds, "seconds": seconds, "test_acc": acc}
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    libblas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas_info": f"BLAS_INFO={blas.group(1)}" if blas else "?",
        "blas_library": libblas,
        "results": results,
    }))


if __name__ == "__main__":
    main()
