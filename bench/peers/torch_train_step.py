"""PyTorch eager peer of TrainStepBenchmark: the same four sample models, the same batch sizes, one thread.

Prints one line per model: `model median_us`. Run by bench/run-train.sh with Debian's python3-torch.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(1)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 5)
        self.fc1 = nn.Linear(864, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv(x)), 2, 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(h.reshape(-1, 864))))))


def models():
    lin = nn.Linear(1, 1)
    yield "linreg", lin, torch.optim.SGD(lin.parameters(), lr=0.01), \
        (torch.rand(100, 1), torch.rand(100, 1)), lambda m, x, y: ((m(x) - y) ** 2).mean()
    log = nn.Linear(20, 1)
    yield "logreg", log, torch.optim.SGD(log.parameters(), lr=0.1), \
        (torch.rand(256, 20), torch.rand(256, 1).round()), lambda m, x, y: F.binary_cross_entropy_with_logits(m(x), y)
    mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    yield "mlp", mlp, torch.optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9), \
        (torch.rand(64, 784), torch.randint(0, 10, (64,))), lambda m, x, t: F.cross_entropy(m(x), t)
    cnn = Cnn()
    yield "cnn", cnn, torch.optim.Adam(cnn.parameters(), lr=0.001), \
        (torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))), lambda m, x, t: F.cross_entropy(m(x), t)


def main(seconds):
    for name, model, opt, (a, b), loss_fn in models():
        def step():
            opt.zero_grad()
            loss = loss_fn(model, a, b)
            loss.backward()
            opt.step()
        end = time.perf_counter() + seconds / 2
        while time.perf_counter() < end:
            step()
        samples = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            for _ in range(10):
                step()
            samples.append((time.perf_counter() - t0) / 10)
        samples.sort()
        print(f"{name} {samples[len(samples) // 2] * 1e6:.1f}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
