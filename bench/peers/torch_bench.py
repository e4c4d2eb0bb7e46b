"""PyTorch eager peer of the JVM benchmarks (bench/run-all.sh): the same five models, batch sizes and optimizers as
TrainStepBenchmark, and the same epoch of the seeds' CNN on Fashion-MNIST as EpochRun, in Debian's python3-torch.

    python3 bench/peers/torch_bench.py info                      torch version, threads, BLAS (threadpoolctl)
    python3 bench/peers/torch_bench.py steps [--seconds 3]       median µs of a train step and of predict, per model;
                                                                 OpenBLAS sgemm GFLOP/s for n = 64, 256, 512
    python3 bench/peers/torch_bench.py epoch DIR [--seed 1]      one epoch on the IDX folder DIR, then accuracy

Each prints one JSON object. `--threads N` (default 1) sets torch.set_num_threads and, through threadpoolctl when
installed, OpenBLAS's threads (run-all.sh also sets OPENBLAS_NUM_THREADS). For figures at PyTorch's best run
it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...`): they hold
OpenBLAS to an older kernel; run-all.sh does that.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = {"linreg": 100, "logreg": 256, "mlp": 64, "cnn": 64, "widemlp": 128}


class Cnn(nn.Module):
    """samples/models/cnn.mdl: Conv2d(1,6,5) -> ReLU -> MaxPool2d(2,2) -> 864 -> 120 -> 84 -> 10."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 5)
        self.fc1 = nn.Linear(864, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv(x)), 2, 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(h.reshape(-1, 864))))))


def mse(m, x, y):
    return ((m(x) - y) ** 2).mean()


def bce(m, x, y):
    return F.binary_cross_entropy_with_logits(m(x), y)


def ce(m, x, t):
    return F.cross_entropy(m(x), t)


def models():
    """(name, module, optimizer, (input, target), loss) as in the .mdl files, with random inputs."""
    lin = nn.Linear(1, 1)
    yield "linreg", lin, torch.optim.SGD(lin.parameters(), lr=0.01), (torch.rand(100, 1), torch.rand(100, 1)), mse
    log = nn.Linear(20, 1)
    yield "logreg", log, torch.optim.SGD(log.parameters(), lr=0.1), \
        (torch.rand(256, 20), torch.rand(256, 1)), bce
    mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    yield "mlp", mlp, torch.optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9), \
        (torch.rand(64, 784), torch.randint(0, 10, (64,))), ce
    cnn = Cnn()
    yield "cnn", cnn, torch.optim.Adam(cnn.parameters(), lr=0.001), \
        (torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))), ce
    wide = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
    yield "widemlp", wide, torch.optim.Adam(wide.parameters(), lr=0.001), \
        (torch.rand(128, 784), torch.randint(0, 10, (128,))), ce


def median_us(fn, seconds):
    """Warm up for half the time, then the median over groups of 10 calls (at least 5 groups)."""
    end = time.perf_counter() + seconds / 2
    while time.perf_counter() < end:
        fn()
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(10):
            fn()
        samples.append((time.perf_counter() - t0) / 10)
    samples.sort()
    return samples[len(samples) // 2] * 1e6


def steps(args):
    out = {}
    for name, model, opt, (a, b), loss_fn in models():
        def train():
            opt.zero_grad()
            loss = loss_fn(model, a, b)
            loss.backward()
            opt.step()

        def predict():
            with torch.no_grad():
                model(a)

        out[name] = {"train_us": median_us(train, args.seconds), "predict_us": median_us(predict, args.seconds)}
    # OpenBLAS sgemm (a @ b, f32) at the kernel benchmark's sizes, in GFLOP/s
    out["sgemm"] = {}
    for n in (64, 256, 512):
        a, b, c = torch.rand(n, n) - 0.5, torch.rand(n, n) - 0.5, torch.empty(n, n)
        out["sgemm"][str(n)] = 2 * n ** 3 / median_us(lambda: torch.matmul(a, b, out=c), args.seconds / 2) / 1e3
    return out


def idx(path):
    """An IDX file (gzipped or not) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def split(directory, prefix):
    def find(kind, rank):
        for suffix in (f"-idx{rank}-ubyte.gz", f"-idx{rank}-ubyte"):
            p = os.path.join(directory, f"{prefix}-{kind}{suffix}")
            if os.path.exists(p):
                return p
        raise FileNotFoundError(f"{directory}: no {prefix}-{kind} IDX file")
    x = torch.from_numpy(idx(find("images", 3)).astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    t = torch.from_numpy(idx(find("labels", 1)).astype(np.int64))
    return x, t


def epoch(args):
    """Data in memory first (not timed); one epoch of shuffled batches of 64 (timed); held-out accuracy (timed)."""
    x, t = split(args.dir, "train")
    xt, tt = split(args.dir, "t10k")
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    net = Cnn()
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    t1 = time.perf_counter()
    order = torch.randperm(len(x))
    total, count = 0.0, 0
    for start in range(0, len(x), BATCH["cnn"]):
        i = order[start:start + BATCH["cnn"]]
        xb, tb = x[i], t[i]
        opt.zero_grad()
        loss = F.cross_entropy(net(xb), tb)
        loss.backward()
        opt.step()
        total += loss.item() * len(i)
        count += len(i)
    t2 = time.perf_counter()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(xt), 500):
            correct += (net(xt[start:start + 500]).argmax(1) == tt[start:start + 500]).sum().item()
    t3 = time.perf_counter()
    return {"train_samples": len(x), "test_samples": len(xt), "steps": (len(x) + 63) // 64,
            "compile_s": t1 - t0, "epoch_s": t2 - t1, "eval_s": t3 - t2, "train_loss": total / count,
            "accuracy": correct / len(xt)}


def info(_args):
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
           "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
    torch.rand(64, 64) @ torch.rand(64, 64)   # loads the BLAS
    try:
        from threadpoolctl import threadpool_info
        out["blas"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                       for p in threadpool_info() if p.get("user_api") == "blas"]
    except ImportError:
        out["blas"] = "threadpoolctl not installed (apt-get install python3-threadpoolctl)"
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info").set_defaults(fn=info)
    s = sub.add_parser("steps")
    s.add_argument("--seconds", type=float, default=3.0)
    s.set_defaults(fn=steps)
    e = sub.add_parser("epoch")
    e.add_argument("dir")
    e.add_argument("--seed", type=int, default=1)
    e.set_defaults(fn=epoch)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    try:  # torch.set_num_threads leaves a pthread OpenBLAS at its own count (OPENBLAS_NUM_THREADS or the cores)
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=args.threads, user_api="blas")
    except ImportError:
        pass
    torch.manual_seed(1)
    json.dump(args.fn(args), sys.stdout)
    print()


if __name__ == "__main__":
    main()
