#!/usr/bin/env python3
"""The PyTorch side of modelc's parity tests (Debian's python3-torch, run with /usr/bin/python3).

    torch_parity.py reference OUT_DIR     writes OUT_DIR/<model>.safetensors for each sample model
    torch_parity.py accuracy MODEL WEIGHTS DATA_DIR
                                          prints the held-out accuracy of weights trained elsewhere

Each reference file holds, under PyTorch state_dict names, the initial parameters, then:
  input.<name>          the inputs of each of STEPS steps, stacked on a new leading axis
  loss                  the first step's loss, before any update
  grad.<param>          every parameter's gradient at the first step
  losses                the loss of each of STEPS training steps (zero_grad, forward, backward, step)
  final.<param>         the parameters after STEPS steps
The models are the project's samples (samples/models/*.mdl) written with torch.nn; one thread, float32.
"""
import gzip
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STEPS = 10


class LinReg(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.rand(1, 1))
        self.b = nn.Parameter(torch.rand(1))

    def loss(self, x, y):
        return torch.mean((x @ self.w + self.b - y) ** 2)

    @staticmethod
    def batch(g):
        x = torch.randn(16, 1, generator=g)
        return {"x": x, "y": 3 * x + 1 + 0.1 * torch.randn(16, 1, generator=g)}


class LogReg(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1))

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(0.3 * torch.randn(1, 20))
        self.b = nn.Parameter(0.1 * torch.randn(1))

    def loss(self, x, y):
        return F.binary_cross_entropy_with_logits(F.linear(x, self.w, self.b), y)

    @staticmethod
    def batch(g):
        x = torch.randn(32, 20, generator=g)
        return {"x": x, "y": (torch.rand(32, 1, generator=g) < 0.5).float()}


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 128), nn.Linear(128, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Mlp(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9))

    def __init__(self):
        super().__init__()
        self.net = MLP()

    def loss(self, x, t):
        return F.cross_entropy(self.net(x), t)

    @staticmethod
    def batch(g):
        return {"x": torch.rand(32, 784, generator=g), "t": torch.randint(0, 10, (32,), generator=g)}


class Net(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.001))

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(864, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def logits(self, x):
        h = F.max_pool2d(F.relu(self.conv(x)), 2, 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(h.reshape(x.shape[0], 864))))))

    def loss(self, x, t):
        return F.cross_entropy(self.logits(x), t)

    @staticmethod
    def batch(g):
        return {"x": torch.rand(16, 1, 28, 28, generator=g), "t": torch.randint(0, 10, (16,), generator=g)}


MODELS = {"linreg": LinReg, "logreg": LogReg, "mlp": Mlp, "cnn": Net}

DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int32"): "I32"}


def write_safetensors(path, tensors, metadata):
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, value in tensors.items():
        array = np.ascontiguousarray(value)
        if array.dtype == np.int64:
            array = array.astype(np.int32)
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    header.pop("__metadata__", None)
    types = {"F32": np.float32, "F64": np.float64, "I32": np.int32}
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(raw[8 + size + begin:8 + size + end], types[entry["dtype"]]).reshape(entry["shape"])
    return out


def reference(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for key, cls in MODELS.items():
        torch.manual_seed(1234)
        model = cls()
        g = torch.Generator().manual_seed(99)
        batches = [cls.batch(g) for _ in range(STEPS)]
        tensors = {name: p.detach().numpy().copy() for name, p in model.state_dict().items()}
        for name in batches[0]:
            tensors["input." + name] = torch.stack([b[name] for b in batches]).numpy()
        opt = cls.optimizer(model.parameters())
        losses = []
        for step, batch in enumerate(batches):
            opt.zero_grad()
            loss = model.loss(**batch)
            loss.backward()
            if step == 0:
                tensors["loss"] = np.array([loss.item()], np.float32)
                for name, p in model.named_parameters():
                    tensors["grad." + name] = p.grad.numpy().copy()
            opt.step()
            losses.append(loss.item())
        tensors["losses"] = np.array(losses, np.float32)
        for name, p in model.named_parameters():
            tensors["final." + name] = p.detach().numpy().copy()
        write_safetensors(out_dir / (key + ".safetensors"), tensors,
                          {"torch": torch.__version__, "steps": str(STEPS)})


def idx(path):
    raw = gzip.open(path).read() if str(path).endswith(".gz") else Path(path).read_bytes()
    magic, n = struct.unpack(">II", raw[:8])
    dims = struct.unpack(">" + "I" * ((magic & 0xFF) - 1), raw[8:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(raw[4 + 4 * (magic & 0xFF):], np.uint8).reshape((n,) + dims)


def accuracy(model_key, weights, data_dir):
    model = MODELS[model_key]()
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in read_safetensors(weights).items()}, strict=True)
    data = Path(data_dir)
    images = torch.from_numpy(idx(next(data.glob("t10k-images-idx3-ubyte*"))).astype(np.float32) / 255.0)
    labels = torch.from_numpy(idx(next(data.glob("t10k-labels-idx1-ubyte*"))).astype(np.int64))
    with torch.no_grad():
        logits = model.logits(images.reshape(-1, 1, 28, 28))
    print("accuracy %.6f" % (logits.argmax(1) == labels).float().mean().item())


def main(argv):
    torch.set_num_threads(1)
    if len(argv) == 2 and argv[0] == "reference":
        reference(argv[1])
    elif len(argv) == 4 and argv[0] == "accuracy":
        accuracy(argv[1], argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
