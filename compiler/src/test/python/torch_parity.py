#!/usr/bin/env python3
"""The PyTorch side of modelc's parity tests (Debian's python3-torch, run with /usr/bin/python3).

    torch_parity.py reference OUT_DIR     writes OUT_DIR/<model>.safetensors and <model>.f64.safetensors for each
                                          model, and vjp.safetensors and vjp.f64.safetensors: the inputs
                                          (input.<name>) and outputs of samples/models/vjp.mdl
    torch_parity.py accuracy MODEL WEIGHTS DATA_DIR
                                          prints the held-out accuracy of weights trained elsewhere
    torch_parity.py statedict-write PREFIX
                                          writes a ResBlock state_dict (samples/models/resnet.mdl) with moved
                                          buffers as PREFIX.safetensors and PREFIX.npz
    torch_parity.py statedict-read FILE   loads FILE into a ResBlock (strict) and prints its buffers with dtypes

Each reference file holds, under PyTorch state_dict names, the initial parameters, then:
  input.<name>          the inputs of each of STEPS steps, stacked on a new leading axis
  loss                  the first step's loss, before any update
  grad.<param>          every parameter's gradient at the first step
  losses                the loss of each of STEPS training steps (zero_grad, forward, backward, step)
  final.<param>         the parameters and buffers (running statistics, num_batches_tracked) after STEPS steps
and in its metadata the buffers' names (no gradient) and whether the steps ran in training mode. Integer tensors
(labels, num_batches_tracked) are int64, as PyTorch holds them.
The models are the project's samples (samples/models/*.mdl) and the parity models of the language's features
(src/test/resources/parity/*.mdl) written with torch.nn; one thread, float32 and float64 from the same initial
weights and batches.
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


class Slicing(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(0.5 * torch.randn(4, 3))
        self.v = nn.Parameter(0.5 * torch.randn(6, 3))
        self.u = nn.Parameter(0.5 * torch.randn(4, 4))

    def loss(self, x, y):
        h = torch.tanh(x @ self.w)
        pred = (h[:, 1::2].sum(1) + h[..., -1] @ self.v + h[:, -2, 1:3].sum(1, keepdim=True)
                + x[:, 0] @ self.u[1:, :].mT)
        return F.mse_loss(pred, y)

    @staticmethod
    def batch(g):
        return {"x": torch.randn(8, 6, 4, generator=g), "y": torch.randn(8, 3, generator=g)}


class CatStack(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.a, self.b, self.fc = nn.Linear(5, 3), nn.Linear(5, 4), nn.Linear(12, 3)
        self.p = nn.Parameter(torch.randn(2, 3))
        self.q = nn.Parameter(torch.randn(1, 3))

    def loss(self, x, t):
        ha = self.a(x)
        h = torch.cat([torch.tanh(ha), F.relu(self.b(x)), x], dim=1)
        s = torch.stack([ha, torch.sigmoid(ha)], dim=-1)
        table = torch.cat([self.p, self.q], dim=0)
        return F.cross_entropy(self.fc(h) + s.sum(2) @ table, t)

    @staticmethod
    def batch(g):
        return {"x": torch.randn(8, 5, generator=g), "t": torch.randint(0, 3, (8,), generator=g)}


class Indices(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1))

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 5)
        self.table = nn.Parameter(torch.randn(10, 6))
        self.k = nn.Parameter(0.5 * torch.randn(4, 5))

    def loss(self, x, rows, pick, t):
        h = torch.tanh(self.fc(x))
        logits = h + (x @ torch.index_select(self.table, 0, rows).mT) @ self.k
        target = 0.9 * F.one_hot(t, 5).to(x.dtype) + 0.1 / 5
        picked = torch.gather(h, 1, pick)
        return -(target * F.log_softmax(logits, 1)).sum(1).mean() + 0.1 * (picked ** 2).mean()

    @staticmethod
    def batch(g):
        # rows repeats indices on purpose: their gradients add up in the selected table rows
        return {"x": torch.randn(8, 6, generator=g), "rows": torch.randint(0, 10, (4,), generator=g),
                "pick": torch.randint(0, 5, (8, 2), generator=g), "t": torch.randint(0, 5, (8,), generator=g)}


class Embed(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.05))

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 8, padding_idx=0)
        self.topics = nn.Parameter(torch.randn(4, 8))
        self.fc = nn.Linear(8, 3)

    def loss(self, tokens, topic, t):
        words = self.emb(tokens).mean(1)
        return F.cross_entropy(self.fc(words + F.embedding(topic, self.topics, padding_idx=-1)), t)

    @staticmethod
    def batch(g):
        # about a third of the tokens are the padding id 0, and topic 3 is the padding row of topics
        tokens = torch.randint(1, 12, (8, 5), generator=g) * (torch.rand(8, 5, generator=g) > 0.3)
        return {"tokens": tokens, "topic": torch.randint(0, 4, (8,), generator=g),
                "t": torch.randint(0, 3, (8,), generator=g)}


class Norms(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1))

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(1 + 0.5 * torch.randn(4, 1, 1))
        self.lw = nn.Parameter(torch.ones(3, 4))
        self.lb = nn.Parameter(torch.zeros(3, 4))
        self.w = nn.Parameter(0.5 * torch.randn(12, 3))

    def loss(self, x, y):
        g = F.group_norm(x * self.scale + x ** 2, 2, eps=1e-3)
        n = F.layer_norm(g, [3, 4], self.lw, self.lb)
        return F.mse_loss(n.mean(1).reshape(x.shape[0], 12) @ self.w, y)

    @staticmethod
    def batch(g):
        return {"x": torch.randn(8, 4, 3, 4, generator=g), "y": torch.randn(8, 3, generator=g)}


class NormNet(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.conv, self.gn = nn.Conv2d(1, 4, 3), nn.GroupNorm(2, 4)
        self.ln, self.fc = nn.LayerNorm(36), nn.Linear(36, 3)

    def loss(self, x, t):
        h = F.max_pool2d(F.relu(self.gn(self.conv(x))), 2)
        return F.cross_entropy(self.fc(self.ln(torch.flatten(h, 1))), t)

    @staticmethod
    def batch(g):
        return {"x": torch.rand(8, 1, 8, 8, generator=g), "t": torch.randint(0, 3, (8,), generator=g)}


class BagOfWords(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.05))

    def __init__(self):
        super().__init__()
        self.emb, self.fc = nn.Embedding(12, 8), nn.Linear(8, 3)

    def loss(self, tokens, t):
        return F.cross_entropy(self.fc(self.emb(tokens).mean(1)), t)

    @staticmethod
    def batch(g):
        return {"tokens": torch.randint(0, 12, (16, 4), generator=g), "t": torch.randint(0, 3, (16,), generator=g)}


class TinyFormer(nn.Module):
    """One post-LayerNorm transformer block over 6 tokens: what tinyformer.mdl writes with its own layers."""
    optimizer = staticmethod(lambda ps: torch.optim.AdamW(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(16, 8)
        self.pos = nn.Parameter(0.02 * torch.randn(6, 8))
        self.q = nn.Linear(8, 8)
        self.k = nn.Linear(8, 8, bias=False)  # a key bias gets a zero gradient: softmax cancels it (tinyformer.mdl)
        self.v, self.proj = nn.Linear(8, 8), nn.Linear(8, 8)
        self.ln1 = nn.LayerNorm(8)
        self.fc1, self.fc2 = nn.Linear(8, 16), nn.Linear(16, 8)
        self.ln2 = nn.LayerNorm(8)
        self.head = nn.Linear(8, 4)

    def loss(self, tokens, t):
        x = self.tok(tokens) + self.pos
        scores = self.q(x) @ self.k(x).transpose(1, 2) / 8 ** 0.5
        h = self.ln1(x + self.proj(torch.softmax(scores, -1) @ self.v(x)))
        y = self.ln2(h + self.fc2(F.gelu(self.fc1(h))))
        return F.cross_entropy(self.head(y[:, -1] + y.mean(1)), t)

    @staticmethod
    def batch(g):
        return {"tokens": torch.randint(0, 16, (8, 6), generator=g), "t": torch.randint(0, 4, (8,), generator=g)}


class SelfAttention(nn.Module):
    """Multi-head self-attention as samples/models/transformer.mdl writes it: heads split off by view and transpose."""

    def __init__(self, t, d, heads):
        super().__init__()
        self.t, self.d, self.heads = t, d, heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d, bias=False)
        self.v, self.proj = nn.Linear(d, d), nn.Linear(d, d)

    def forward(self, x):
        def split(z):
            return z.reshape(-1, self.t, self.heads, self.d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-2, -1) / (self.d // self.heads) ** 0.5
        return self.proj((torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(-1, self.t, self.d))


class FeedForward(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, hidden), nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Transformer(nn.Module):
    """samples/models/transformer.mdl: one pre-LayerNorm block with two-head attention over 8 tokens."""
    optimizer = staticmethod(lambda ps: torch.optim.AdamW(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(6, 16)
        self.pos = nn.Parameter(0.02 * torch.randn(8, 16))
        self.ln1 = nn.LayerNorm(16)
        self.attn = SelfAttention(8, 16, 2)
        self.ln2 = nn.LayerNorm(16)
        self.mlp = FeedForward(16, 32)
        self.lnf = nn.LayerNorm(16)
        self.head = nn.Linear(16, 4)

    def loss(self, tokens, t):
        x = self.tok(tokens) + self.pos
        h = x + self.attn(self.ln1(x))
        y = h + self.mlp(self.ln2(h))
        return F.cross_entropy(self.head(self.lnf(y).mean(1)), t)

    @staticmethod
    def batch(g):
        return {"tokens": torch.randint(0, 6, (8, 8), generator=g), "t": torch.randint(0, 4, (8,), generator=g)}


class Clamp(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(6))
        self.shift = nn.Parameter(torch.zeros(6))
        self.gain = nn.Parameter(torch.ones(8))
        self.fc1, self.fc2 = nn.Linear(6, 8), nn.Linear(8, 3)

    def loss(self, x, y):
        # torch.clamp, not F.hardtanh or F.relu: its gradient is 1 on the bounds, where theirs is 0
        a = torch.clamp(x * self.scale + self.shift, min=-1, max=1)
        h = torch.clamp(self.fc1(a), min=0) * self.gain.clamp(max=1)
        return F.mse_loss(self.fc2(h), y)

    @staticmethod
    def batch(g):
        # multiples of 0.5 in [-2, 2]: about two in nine on the bounds +-1, four in nine outside them
        return {"x": torch.randint(-4, 5, (8, 6), generator=g) / 2, "y": torch.randn(8, 3, generator=g)}


class Where(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.fill = nn.Parameter(torch.zeros(6))
        self.low = nn.Parameter(torch.zeros(8))
        self.fc1, self.fc2, self.head = nn.Linear(6, 8), nn.Linear(6, 8), nn.Linear(8, 2)

    def loss(self, x, y):
        filled = torch.where(x != 0, x, self.fill)
        a = self.fc1(filled)
        leaky = torch.where(a > 0, a, 0.1 * a)
        b = self.fc2(filled)
        mixed = torch.where(leaky >= b, leaky - b, self.low)
        d = self.head(mixed) - y
        return torch.where(d.abs() < 1, 0.5 * d ** 2, d.abs() - 0.5).mean()

    @staticmethod
    def batch(g):
        # about a quarter of x is exactly 0: the missing entries
        x = torch.randn(8, 6, generator=g) * (torch.rand(8, 6, generator=g) > 0.25)
        return {"x": x, "y": torch.randn(8, 2, generator=g)}


class BatchNorms(nn.Module):
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9))
    training_mode = True

    def __init__(self):
        super().__init__()
        self.conv = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(4, 3, 3, 3), a=5 ** 0.5))
        self.bn1 = nn.BatchNorm2d(4)
        self.bn2 = nn.BatchNorm1d(4, affine=False, momentum=None)
        self.fc = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(6, 36), a=5 ** 0.5))
        self.bn3 = nn.BatchNorm1d(6, momentum=None)
        self.head = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(3, 6), a=5 ** 0.5))
        with torch.no_grad():  # statistics and counters as a model trained for a while has them
            for k, bn in enumerate((self.bn1, self.bn2, self.bn3)):
                bn.running_mean.copy_(0.3 * torch.randn(bn.num_features))
                bn.running_var.copy_(0.5 + torch.rand(bn.num_features))
                bn.num_batches_tracked.fill_(3 + k)
            for bn in (self.bn1, self.bn3):
                bn.weight.copy_(1 + 0.2 * torch.randn(bn.num_features))
                bn.bias.copy_(0.1 * torch.randn(bn.num_features))
        self.train(self.training_mode)

    def loss(self, x, t):
        h = F.relu(self.bn1(F.conv2d(x, self.conv)))
        l = self.bn2(h.reshape(x.shape[0], 4, 9))
        z = self.bn3(l.reshape(x.shape[0], 36) @ self.fc.T)
        z2 = self.bn3(F.relu(z) * 2 - 1)
        return F.cross_entropy(z2 @ self.head.T, t)

    @staticmethod
    def batch(g):
        return {"x": 1.5 * torch.randn(6, 3, 5, 5, generator=g) + 0.5, "t": torch.randint(0, 3, (6,), generator=g)}


class BatchNormsEval(BatchNorms):
    """The same model and steps after model.eval(): the running statistics normalize and nothing is updated."""
    training_mode = False


class Masks(nn.Module):
    """Bool masks combined with & | ~ and turned into numbers with .to(dtype): masks.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.gate = nn.Parameter(torch.zeros(8))
        self.fc1, self.head = nn.Linear(6, 8), nn.Linear(8, 2)

    def loss(self, x, y):
        present = ((x != 0) & ~(x.abs() > 2)).to(x.dtype)
        h = self.fc1(x * present)
        a = torch.where((h > self.gate) | (h < -1), h, self.gate * h)
        d = self.head(a) - y
        small = d.abs() < 1
        return (small.to(d.dtype) * d ** 2).sum() / (small.to(d.dtype).sum() + 1) + (
            (~small).to(d.dtype) * d.abs()).mean()

    @staticmethod
    def batch(g):
        # a quarter of x is exactly 0 (missing), and some entries are beyond +-2 (outliers)
        x = 1.5 * torch.randn(8, 6, generator=g) * (torch.rand(8, 6, generator=g) > 0.25)
        return {"x": x, "y": 2 * torch.randn(8, 2, generator=g)}


class Activations(nn.Module):
    """Every elementwise builtin and activation of activations.mdl, many of them on their kinks at the first step."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01))

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(6))
        self.shift = nn.Parameter(torch.zeros(6))
        self.e = nn.Parameter(torch.full((6,), 1.5))
        self.head = nn.Linear(150, 3)

    def loss(self, x, v, y):
        u = x * self.scale + self.shift
        w = v * self.scale - self.shift
        parts = torch.cat([F.relu(u), F.leaky_relu(u), F.leaky_relu(u, negative_slope=0.2), u.abs(), torch.neg(u), -u,
                           torch.tanh(u), torch.sigmoid(u), torch.sin(u), torch.cos(u), torch.exp(0.5 * u),
                           torch.log(u * u + 1), torch.sqrt(u * u + 0.5), F.gelu(u), F.gelu(u, approximate="tanh"),
                           F.softplus(u), F.softplus(u, beta=2, threshold=3), torch.maximum(u, w),
                           torch.minimum(u, w), u ** 3, u.abs() ** self.e, 2 ** u / (w.abs() + 1), u ** 2,
                           (u.abs() + 1) ** -1.5, F.dropout(u, p=0.0)], dim=1)
        return F.mse_loss(self.head(parts), y)

    @staticmethod
    def batch(g):
        # multiples of 0.5 in [-3, 3]: zeros, and 1.5 (softplus's threshold at beta 2); v equals x in about 40%
        x = torch.randint(-6, 7, (8, 6), generator=g) / 2
        v = torch.where(torch.rand(8, 6, generator=g) < 0.4, x, torch.randint(-6, 7, (8, 6), generator=g) / 2)
        return {"x": x, "v": v, "y": torch.randn(8, 3, generator=g)}


class Reductions(nn.Module):
    """softmax and log_softmax on each dim, and the reductions with dims and keepdim, ties included: reductions.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01))

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(5, 5) / 5 ** 0.5)
        self.b = nn.Parameter(0.1 * torch.randn(5))
        self.shift = nn.Parameter(torch.zeros(4, 5))
        self.c = nn.Parameter(torch.rand(15, 5) - 0.5)

    def loss(self, x, t, y):
        h = torch.tanh(x @ self.w + self.b)
        s0, l1, s2 = torch.softmax(h, 0), F.log_softmax(h, 1), torch.softmax(h, -1)
        l0, l2 = F.log_softmax(h, 0), F.log_softmax(h, dim=2)
        big = 40 * (x @ self.w)
        tied = t + self.shift
        c = self.c
        pred = (c[0] * (s0 * h).sum(1) + c[1] * l1.mean(dim=1) + c[2] * (s2 * l0).sum(dim=[1])
                + c[3] * h.max(1).values + c[4] * torch.amax(h * h, dim=[1]) + c[5] * torch.logsumexp(h, 1)
                + c[6] * (h.mean(2, keepdim=True) * h).sum(1) + c[7] * (l2.max(dim=2, keepdim=True).values * h).sum(1)
                + c[8] * torch.logsumexp(h, [1, 2], keepdim=True)[:, :, 0] + c[9] * h.mean([0, 1])
                + c[10] * tied.max(1).values + c[11] * torch.amax(tied, dim=1)
                + c[12] * torch.logsumexp(big, 1) / 40 + c[13] * (torch.softmax(big, 1) * h).sum(1)
                + c[14] * (F.log_softmax(big, 0) * h).sum(1) / 40
                + tied.max() + h.sum() / 20 + h.mean(dim=(0, 1, 2), keepdim=True)[0, 0])
        return F.mse_loss(pred, y) + torch.amax(tied, [1, 2], keepdim=True).sum() / 10

    @staticmethod
    def batch(g):
        return {"x": torch.randn(6, 4, 5, generator=g), "t": torch.randint(0, 3, (6, 4, 5), generator=g).float(),
                "y": torch.randn(6, 5, generator=g)}


class Losses(nn.Module):
    """Every loss with each reduction: losses.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05))

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.shift = nn.Parameter(torch.zeros(3))
        self.sat = nn.Parameter(torch.zeros(3))
        self.fc1, self.fc2, self.fc3 = nn.Linear(6, 8), nn.Linear(8, 4), nn.Linear(8, 2)

    def loss(self, x, t, y, p, k, r):
        h = torch.tanh(self.fc1(x))
        z = self.fc2(h)
        logp = F.log_softmax(z, 1)
        a = x[:, 0:3] * self.scale + self.shift
        q = self.fc3(h)
        return (F.cross_entropy(z, t) + 0.1 * F.cross_entropy(z, t, reduction="sum")
                + F.nll_loss(logp, t) + 0.1 * F.nll_loss(logp, t, reduction="sum")
                + F.mse_loss(a, y) + 0.1 * F.mse_loss(a, y, reduction="sum")
                + F.l1_loss(a, y) + 0.1 * F.l1_loss(a, y, reduction="sum")
                + F.binary_cross_entropy(torch.sigmoid(q), p)
                + 0.1 * F.binary_cross_entropy(torch.sigmoid(q), p, reduction="sum")
                + F.binary_cross_entropy_with_logits(q, p)
                + 0.1 * F.binary_cross_entropy_with_logits(q, p, reduction="sum")
                + 0.01 * F.cross_entropy(30 * z, t) + 0.01 * F.binary_cross_entropy_with_logits(30 * q, p)
                + 0.01 * F.binary_cross_entropy(torch.clamp(k + self.sat, 0, 1), r))

    @staticmethod
    def batch(g):
        x = torch.randn(8, 6, generator=g)
        y = torch.where(torch.rand(8, 3, generator=g) < 0.35, x[:, 0:3], torch.randn(8, 3, generator=g))
        # k is -0.5, 0, 0.5, 1 or 1.5 and r a multiple of 0.25: bce of probabilities exactly 0 and 1
        return {"x": x, "t": torch.randint(0, 4, (8,), generator=g), "y": y, "p": torch.rand(8, 2, generator=g),
                "k": torch.randint(-1, 4, (8, 3), generator=g) / 2, "r": torch.randint(0, 5, (8, 3), generator=g) / 4}


class ConvPool(nn.Module):
    """conv2d with strides and paddings, max and average pooling with padding and strides: convpool.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.85, 0.995), eps=1e-7, weight_decay=0.1))

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(4, 2, 3, 3), a=5 ** 0.5))
        self.b1 = nn.Parameter(0.4 * torch.rand(4) - 0.2)
        self.w2 = nn.Parameter(nn.init.xavier_normal_(torch.empty(3, 2, 3, 2)))
        self.fc = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(3, 120), a=5 ** 0.5))
        self.s = nn.Parameter(torch.zeros(1, 5, 5))

    def loss(self, x, t, k):
        c1 = F.conv2d(x, self.w1, self.b1, stride=2, padding=1)
        c2 = F.conv2d(x, self.w2, stride=(1, 2), padding=(0, 1))
        m1 = F.max_pool2d(F.relu(c1), 2)
        m2 = F.max_pool2d(c1, 3, stride=2, padding=1)
        a1 = F.avg_pool2d(c2, (2, 2), stride=1, padding=1)
        a2 = F.avg_pool2d(c1, 2)
        m3 = F.max_pool2d(c2, (3, 2), stride=(2, 1), padding=(1, 0))
        h = torch.cat([m1.flatten(1), m2.flatten(1), a2.flatten(1), a1.reshape(x.shape[0], 90) / 3], dim=1)
        tied = F.max_pool2d(k + self.s, 3, stride=2, padding=1)
        return F.cross_entropy(h[:, 0:120] @ self.fc.T + m3.sum([2, 3]) + tied.flatten(1)[:, 0:3], t) + tied.mean()

    @staticmethod
    def batch(g):
        return {"x": torch.randn(6, 2, 7, 7, generator=g), "t": torch.randint(0, 3, (6,), generator=g),
                "k": torch.randint(-2, 2, (6, 1, 5, 5), generator=g).float()}


class Shapes(nn.Module):
    """Movement, broadcast and 1-D matmul, linear, detach, and dropout in evaluation mode: shapes.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=0.1))
    training_mode = False

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(0.5 * torch.randn(2, 4, 5))
        self.u = nn.Parameter(torch.tensor([0.1, -0.2, 0.3, -0.4, 0.5]))
        self.k = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(6, 4)))
        self.kb = nn.Parameter(0.1 * torch.randn(6))
        self.m = nn.Parameter(0.5 * torch.randn(3, 3))
        self.out = nn.Parameter(nn.init.xavier_uniform_(torch.empty(2, 20)))
        self.train(self.training_mode)

    def loss(self, x, y):
        p = F.dropout(x.reshape(-1, 1, 3, 4) @ self.w, 0.3, self.training)
        f = p.transpose(1, 3).flatten(2, 3)
        a = self.u @ f
        l, l2 = F.linear(x, self.k, self.kb), F.linear(x, self.k)
        b = l2 @ self.kb
        d = (l.detach() * l2).sum(1)
        e = (self.m @ l).mean(2)
        g = (x @ x.mT)[:, 0, 0:2] + self.m.transpose(0, 1)[0, 1:] * (self.kb @ self.kb)
        h = torch.cat([a, b, d, e, g], dim=1).reshape(-1, 4, 5)
        return F.mse_loss(h.flatten(1) @ self.out.T, y) + 0.01 * (self.w.flatten() ** 2).sum()

    @staticmethod
    def batch(g):
        return {"x": 0.5 * torch.randn(8, 3, 4, generator=g), "y": torch.randn(8, 2, generator=g)}


class Penalty(nn.Module):
    """samples/models/penalty.mdl: a gradient penalty on the input, torch.autograd.grad with create_graph=True."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.1))

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(0.5 * torch.randn(3, 2))

    def loss(self, x, y):
        x.requires_grad_(True)
        fit = F.mse_loss(torch.tanh(x @ self.w), y)
        (gx,) = torch.autograd.grad(fit, x, create_graph=True)
        return fit + 0.1 * (gx ** 2).sum()

    @staticmethod
    def batch(g):
        return {"x": torch.randn(16, 3, generator=g), "y": torch.randn(16, 2, generator=g)}


class SecondOrder(nn.Module):
    """Gradient penalties through every twice-differentiable elementwise op, layer_norm, softmax and the losses:
    secondorder.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9))

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(1 + 0.2 * torch.randn(6))
        self.scale2 = nn.Parameter(torch.ones(6))
        self.e = nn.Parameter(torch.tensor([0, 0, 0.5, 1, 1.5, 2]))
        self.fc1 = nn.Linear(4, 6)
        self.ln = nn.LayerNorm(138)
        self.head = nn.Linear(138, 3)
        with torch.no_grad():
            self.ln.weight.add_(0.2 * torch.randn(138))
            self.ln.bias.add_(0.1 * torch.randn(138))

    def loss(self, x, t, q, u, k):
        x.requires_grad_(True)
        k.requires_grad_(True)
        h = self.fc1(x) * self.scale
        m = k * self.scale2
        parts = torch.cat([torch.tanh(h), torch.sigmoid(h), F.softplus(h), F.softplus(h, beta=2, threshold=1),
                           F.gelu(h), F.gelu(h, approximate="tanh"), F.relu(h), F.leaky_relu(h, 0.2),
                           torch.exp(0.5 * h), torch.log(h * h + 1), torch.sqrt(h * h + 0.5), h.abs(), torch.sin(h),
                           torch.cos(h), (h.abs() + 1) ** 1.5, h / (h * h + 1), torch.clamp(h, -1, 1),
                           torch.maximum(h, 0.5 * h + 0.2), torch.minimum(h, 0.3 - h), 2 ** h,
                           (h.abs() + 0.5) ** self.e,
                           F.softplus(m, beta=2, threshold=1), F.softplus(m)], dim=1)
        logits = self.head(self.ln(parts))
        probs = torch.softmax(logits, 1)
        fit = (F.cross_entropy(logits, t) + (probs * q).sum(1).mean() + 0.1 * (F.log_softmax(logits, 0) * q).mean()
               + 0.1 * F.binary_cross_entropy_with_logits(logits, q)
               + 0.1 * F.binary_cross_entropy(torch.sigmoid(logits), q) + 0.1 * F.mse_loss(probs, q)
               + 0.1 * F.l1_loss(probs, q)
               + 0.1 * torch.logsumexp(logits, 1).mean() + 0.1 * h.max(1).values.mean()
               + 0.01 * torch.amax(parts, 0).sum())
        gx, gh, gs, gk = torch.autograd.grad(fit, [x, h, self.scale, k], create_graph=True)
        (ju,) = torch.autograd.grad(torch.tanh(h), x, grad_outputs=u, create_graph=True)
        return (fit + 0.1 * (gx ** 2).sum() + (gh ** 2).sum(1).mean() + 0.1 * (gs ** 2).sum() + 0.1 * (gk ** 2).sum()
                + 0.01 * (ju ** 2).sum())

    @staticmethod
    def batch(g):
        # k: multiples of 0.5 in [-2, 2]; where it is 0.5, 2 * k is softplus's threshold 1 at the first step
        return {"x": torch.randn(8, 4, generator=g), "t": torch.randint(0, 3, (8,), generator=g),
                "q": torch.rand(8, 3, generator=g), "u": torch.randn(8, 6, generator=g),
                "k": torch.randint(-4, 5, (8, 6), generator=g) / 2}


class SecondOrderConv(nn.Module):
    """Gradient penalties through conv2d, max and average pooling and group_norm: secondorder_conv.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9))

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(4, 2, 3, 3), a=5 ** 0.5))
        self.b1 = nn.Parameter(0.4 * torch.rand(4) - 0.2)
        self.w2 = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(3, 4, 2, 2), a=5 ** 0.5))
        self.gw = nn.Parameter(1 + 0.2 * torch.randn(4))
        self.gb = nn.Parameter(0.1 * torch.randn(4))
        self.fc = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(3, 24), a=5 ** 0.5))

    def loss(self, x, t):
        x.requires_grad_(True)
        c = F.conv2d(x, self.w1, self.b1, stride=1, padding=1)
        n = F.group_norm(c, 2, self.gw, self.gb)
        m = F.max_pool2d(torch.tanh(n), 3, stride=2, padding=1)
        a = F.avg_pool2d(F.softplus(c), 2, stride=2, padding=1)
        d = F.conv2d(torch.sigmoid(m) * a, self.w2, stride=2)
        feats = torch.cat([d.flatten(1), m.mean([2, 3]), (a * a).sum([1, 2]) / 10,
                           (c * c).mean([1, 2, 3], keepdim=True)[:, :, 0, 0], d.mean(1).flatten(1)[:, 0:3]], dim=1)
        fit = F.cross_entropy(feats @ self.fc.T, t)
        gx, gc = torch.autograd.grad(fit, [x, c], create_graph=True)
        return fit + 0.5 * (gx ** 2).sum() + 5 * (gc ** 2).sum()

    @staticmethod
    def batch(g):
        return {"x": torch.randn(6, 2, 7, 7, generator=g), "t": torch.randint(0, 3, (6,), generator=g)}


class Hvp(nn.Module):
    """Third order: a Hessian-vector product of the input gradient in the objective, hvp.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.01))

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(3, 8), nn.Linear(8, 8), nn.Linear(8, 2)

    def loss(self, x, v, y):
        x.requires_grad_(True)
        h1 = torch.tanh(self.fc1(x))
        h2 = F.gelu(self.fc2(h1)) + F.softplus(self.fc2(h1) * 0.5) + torch.sigmoid(h1 * h1)
        fit = F.mse_loss(self.fc3(h2 * F.log_softmax(h2, 1) + torch.exp(-h2 * h2)), y)
        (gx,) = torch.autograd.grad(fit, x, create_graph=True)
        (hv,) = torch.autograd.grad((gx * v).sum(), x, create_graph=True)
        return fit + 0.1 * (gx ** 2).sum() + 0.1 * (hv ** 2).sum()

    @staticmethod
    def batch(g):
        return {"x": torch.randn(8, 3, generator=g), "v": torch.randn(8, 3, generator=g),
                "y": torch.randn(8, 2, generator=g)}


class SecondOrderMisc(nn.Module):
    """Gradient penalties through embedding with padding_idx, BatchNorm1d in training mode, where, gather and slicing:
    secondorder_misc.mdl."""
    optimizer = staticmethod(lambda ps: torch.optim.SGD(ps, lr=0.02, momentum=0.9))

    def __init__(self):
        super().__init__()
        self.table = nn.Parameter(torch.randn(10, 5))
        self.w = nn.Parameter(0.5 * torch.randn(5, 4))
        self.bn = nn.BatchNorm1d(4)
        self.fill = nn.Parameter(0.1 + 0.2 * torch.rand(4))
        with torch.no_grad():
            self.bn.weight.copy_(1 + 0.2 * torch.randn(4))
            self.bn.bias.copy_(0.1 * torch.randn(4))

    def loss(self, x, tokens, pick, y):
        x.requires_grad_(True)
        e = F.embedding(tokens, self.table, padding_idx=0).mean(1)
        h = self.bn((x + e) @ self.w)
        a = torch.where(h > 0.2, torch.tanh(h), self.fill * h)
        fit = F.mse_loss(torch.gather(a, 1, pick) + a[:, 0:2] * 0.5, y)
        gx, ge, gt = torch.autograd.grad(fit, [x, e, self.table], create_graph=True)
        return fit + 0.5 * (gx ** 2).sum() + (ge ** 2).sum() + 10 * (gt ** 2).sum()

    @staticmethod
    def batch(g):
        return {"x": torch.randn(8, 5, generator=g), "tokens": torch.randint(0, 10, (8, 3), generator=g),
                "pick": torch.randint(0, 4, (8, 2), generator=g), "y": torch.randn(8, 2, generator=g)}


MODELS = {"linreg": LinReg, "logreg": LogReg, "mlp": Mlp, "cnn": Net, "norm": NormNet, "bow": BagOfWords,
          "slicing": Slicing, "catstack": CatStack, "indices": Indices, "embed": Embed, "norms": Norms,
          "tinyformer": TinyFormer, "clamp": Clamp, "where": Where, "transformer": Transformer,
          "masks": Masks, "batchnorm": BatchNorms, "batchnorm_eval": BatchNormsEval, "activations": Activations,
          "reductions": Reductions, "losses": Losses, "convpool": ConvPool, "shapes": Shapes,
          "penalty": Penalty, "secondorder": SecondOrder, "secondorder_conv": SecondOrderConv, "hvp": Hvp,
          "secondorder_misc": SecondOrderMisc}

DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int32"): "I32", np.dtype("int64"): "I64"}


def write_safetensors(path, tensors, metadata):
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, value in tensors.items():
        array = np.asarray(value, order="C")  # keeps a 0-d array 0-d (num_batches_tracked)
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
    types = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(raw[8 + size + begin:8 + size + end], types[entry["dtype"]]).reshape(entry["shape"])
    return out


def reference(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for key, cls in MODELS.items():
        for dtype, suffix in ((torch.float32, ""), (torch.float64, ".f64")):
            write_safetensors(out_dir / (key + suffix + ".safetensors"), train(cls, dtype),
                              {"torch": torch.__version__, "steps": str(STEPS),
                               "buffers": ",".join(name for name, _ in cls().named_buffers()),
                               "training": str(getattr(cls, "training_mode", True)).lower()})
    for dtype, suffix in ((torch.float32, ""), (torch.float64, ".f64")):
        write_safetensors(out_dir / ("vjp" + suffix + ".safetensors"), vjp(dtype), {"torch": torch.__version__})


def vjp(dtype):
    """samples/models/vjp.mdl as its comment writes it in PyTorch: F.retain_grad() and F.backward(gradient=v) give
    a.grad, b.grad and F.grad; retain_grad on the intermediate F gives the gradient of sum(F ** 2) with respect to it.
    """
    g = torch.Generator().manual_seed(7)
    a, b, v = (torch.randn(2, generator=g).to(dtype) for _ in range(3))
    tensors = {"input.a": a.clone(), "input.b": b.clone(), "input.v": v.clone()}
    a.requires_grad_(True)
    b.requires_grad_(True)
    f = a * b
    f.retain_grad()
    f.backward(gradient=v)
    tensors.update({"F": f.detach(), "a_grad": a.grad.clone(), "b_grad": b.grad.clone(), "F_grad": f.grad.clone()})
    f = a * b
    f.retain_grad()
    (f ** 2).sum().backward()
    tensors["s_grad_F"] = f.grad.clone()
    return {name: t.numpy() for name, t in tensors.items()}


def train(cls, dtype):
    """The reference arrays of one model trained in dtype; both dtypes start from the same weights and batches."""
    torch.manual_seed(1234)
    model = cls().to(dtype)
    g = torch.Generator().manual_seed(99)
    batches = [{name: v.to(dtype) if v.is_floating_point() else v for name, v in cls.batch(g).items()}
               for _ in range(STEPS)]
    np_dtype = np.float32 if dtype == torch.float32 else np.float64
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
            tensors["loss"] = np.array([loss.item()], np_dtype)
            for name, p in model.named_parameters():
                tensors["grad." + name] = p.grad.numpy().copy()
        opt.step()
        losses.append(loss.item())
    tensors["losses"] = np.array(losses, np_dtype)
    for name, p in model.named_parameters():
        tensors["final." + name] = p.detach().numpy().copy()
    for name, b in model.named_buffers():  # running statistics and num_batches_tracked after the steps
        tensors["final." + name] = b.numpy().copy()
    return tensors


class ResBlock(nn.Module):
    """samples/models/resnet.mdl as torch.nn modules, with its state_dict names."""

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4)
        self.conv2, self.bn2 = nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4)
        self.fc = nn.Linear(144, 3)


def statedict_write(path):
    """A ResBlock state_dict whose buffers are not at their initial values, as safetensors and as npz."""
    torch.manual_seed(5)
    model = ResBlock()
    with torch.no_grad():
        for k, bn in enumerate((model.bn1, model.bn2)):
            bn.running_mean.copy_(torch.randn(4))
            bn.running_var.copy_(0.5 + torch.rand(4))
            bn.num_batches_tracked.fill_(41 + k)
    arrays = {name: t.numpy().copy() for name, t in model.state_dict().items()}
    write_safetensors(path + ".safetensors", arrays, {"format": "pt"})
    np.savez(path + ".npz", **arrays)


def statedict_read(path):
    """Loads weights written elsewhere into a ResBlock with strict=True; prints each buffer with its dtype."""
    model = ResBlock()
    arrays = dict(np.load(path)) if path.endswith(".npz") else read_safetensors(path)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in arrays.items()}, strict=True)
    for name, b in model.named_buffers():
        print(name, str(b.dtype), " ".join("%.9g" % v for v in b.reshape(-1).tolist()))


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
    elif len(argv) == 2 and argv[0] == "statedict-write":
        statedict_write(argv[1])
    elif len(argv) == 2 and argv[0] == "statedict-read":
        statedict_read(argv[1])
    elif len(argv) == 4 and argv[0] == "accuracy":
        accuracy(argv[1], argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
