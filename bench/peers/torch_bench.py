"""PyTorch eager peer of the JVM benchmarks (bench/run-all.sh): the same five models, batch sizes and optimizers as
TrainStepBenchmark, and the same epoch of the seeds' CNN on Fashion-MNIST as EpochRun, in Debian's python3-torch.

    python3 bench/peers/torch_bench.py info                      torch version, threads, BLAS (threadpoolctl)
    python3 bench/peers/torch_bench.py steps [--seconds 3]       median µs of a train step and of predict, per model;
                                                                 OpenBLAS sgemm GFLOP/s for n = 64, 256, 512
    python3 bench/peers/torch_bench.py predict1 [--seconds 3]    median µs of a one-sample predict, per model
    python3 bench/peers/torch_bench.py epoch DIR [--seed 1]      one epoch on the IDX folder DIR, then accuracy
    python3 bench/peers/torch_bench.py extra [--seconds 3]       median µs of thread CPU time per train step of the
                                                                 models of bench/run-extra.sh (bench/models)

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


class LeakyCnn(Cnn):
    """bench/models/leakycnn.mdl: the seeds' CNN with leaky_relu (slope 0.01) for every relu."""

    def forward(self, x):
        h = F.max_pool2d(F.leaky_relu(self.conv(x)), 2, 2)
        return self.fc3(F.leaky_relu(self.fc2(F.leaky_relu(self.fc1(h.reshape(-1, 864))))))


class BnCnn(nn.Module):
    """bench/models/bncnn.mdl: two 3x3 convolutions (padding 1, no bias) with batch norm, ReLU and 2x2 max pooling."""

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.fc1, self.fc2 = nn.Linear(32 * 7 * 7, 128), nn.Linear(128, 10)

    def forward(self, x):
        h1 = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2, 2)
        h2 = F.max_pool2d(F.relu(self.bn2(self.conv2(h1))), 2, 2)
        return self.fc2(F.relu(self.fc1(h2.reshape(-1, 1568))))


class Attention(nn.Module):
    """bench/models/bigtransformer.mdl's SelfAttention: heads of width d / heads, a key projection without bias."""

    def __init__(self, t, d, heads):
        super().__init__()
        self.t, self.d, self.heads = t, d, heads
        self.q, self.k, self.v, self.proj = nn.Linear(d, d), nn.Linear(d, d, bias=False), nn.Linear(d, d), \
            nn.Linear(d, d)

    def forward(self, x):
        def split(y):
            return y.reshape(-1, self.t, self.heads, self.d // self.heads).transpose(1, 2)
        scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / (self.d // self.heads) ** 0.5
        mixed = torch.softmax(scores, -1) @ split(self.v(x))
        return self.proj(mixed.transpose(1, 2).reshape(-1, self.t, self.d))


class Transformer(nn.Module):
    """bench/models/bigtransformer.mdl: one pre-norm block over 32 tokens of width 128 (4 heads, MLP 512, gelu)."""

    def __init__(self, vocab=1000, t=32, d=128, heads=4, hidden=512, classes=10):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(t, d) * 0.02)
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(d), Attention(t, d, heads), nn.LayerNorm(d)
        self.fc1, self.fc2, self.lnf, self.head = nn.Linear(d, hidden), nn.Linear(hidden, d), nn.LayerNorm(d), \
            nn.Linear(d, classes)

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos
        h = x + self.attn(self.ln1(x))
        y = h + self.fc2(F.gelu(self.fc1(self.ln2(h))))
        return self.head(self.lnf(y).mean(1))


def extra_models():
    """The models of bench/run-extra.sh, batch 64, as in their .mdl files, with random inputs (labels 0..9)."""
    labels = torch.randint(0, 10, (64,))
    for name, act in (("gelumlp", nn.GELU), ("tanhmlp", nn.Tanh)):
        mlp = nn.Sequential(nn.Linear(784, 128), act(), nn.Linear(128, 64), act(), nn.Linear(64, 10))
        yield name, mlp, torch.optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9), (torch.rand(64, 784), labels)
    cnn = LeakyCnn()
    yield "leakycnn", cnn, torch.optim.Adam(cnn.parameters(), lr=0.001), (torch.rand(64, 1, 28, 28), labels)
    bn = BnCnn()
    yield "bncnn", bn, torch.optim.Adam(bn.parameters(), lr=0.001), (torch.rand(64, 1, 28, 28), labels)
    tr = Transformer()
    yield "bigtransformer", tr, torch.optim.AdamW(tr.parameters(), lr=0.01), (torch.randint(0, 10, (64, 32)), labels)


def extra(args):
    """Thread CPU time per train step (StepCpuTime measures the JVM side the same way): warm-up, then the median
    over groups of 10 steps."""
    out = {}
    for name, model, opt, (a, b) in extra_models():
        def train():
            opt.zero_grad()
            F.cross_entropy(model(a), b).backward()
            opt.step()
        end = time.perf_counter() + args.seconds / 2
        while time.perf_counter() < end:
            train()
        samples = []
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end or len(samples) < 5:
            t0 = time.thread_time()
            for _ in range(10):
                train()
            samples.append((time.thread_time() - t0) / 10)
        samples.sort()
        out[name] = {"train_us": samples[len(samples) // 2] * 1e6}
    return out


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


def predict1(args):
    """One-sample predict (batch 1, no_grad) of the five models, µs: a service answering one request at a time."""
    out = {}
    for name, model, _opt, (a, _b), _loss_fn in models():
        one = a[:1]

        def predict():
            with torch.no_grad():
                model(one)

        out[name] = {"predict_us": median_us(predict, args.seconds)}
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
    o = sub.add_parser("predict1")
    o.add_argument("--seconds", type=float, default=3.0)
    o.set_defaults(fn=predict1)
    x = sub.add_parser("extra")
    x.add_argument("--seconds", type=float, default=3.0)
    x.set_defaults(fn=extra)
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
