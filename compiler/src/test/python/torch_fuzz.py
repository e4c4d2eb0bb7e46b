#!/usr/bin/env python3
"""The PyTorch side of modelc's differential fuzzer against PyTorch (TorchDifferentialFuzzer.java).

    torch_fuzz.py DIR     runs every model of DIR/models.py, each from DIR/<id>.in.npz, and writes DIR/<id>.out.npz
                          (or DIR/<id>.err with the traceback when PyTorch raises)

DIR/models.py is written by the fuzzer's translator: for each model a function m_<id>(P, X, S) returning the
objective and every let by name, and MODELS[<id>] = dict(fn, dtype, params, buffers, counters, grad_inputs, outputs,
opt). It calls the helpers below (BN, DROP, GELU, GRAD, LEAF) where a builtin needs more than one torch call.

<id>.in.npz holds, as the compiled class has them after its seeded initialization:
  p.<name>              every param, buffer and counter (state_dict names)
  x.<step>.<name>       the inputs of each step (labels and indices int32, widened to int64 here)
  m.<step>.<site>       dropout's keep masks (0/1) of each step and dropout call, drawn by modelc's generator
  size.<name>           the symbolic sizes
  steps                 how many optimizer steps to take

<id>.out.npz holds, all as float64:
  loss.<step>, grad.<step>.<param> (before the step), param.<step>.<param> (after it), nograd.<param> (1 where a
  param's .grad stayed None at the first step), value.<let> (every let of the first forward), buffer.<name> and
  counter.<name> after the last step, eval.loss and eval.value.<output> of a pass in evaluation mode (batch_norm
  on its running statistics, dropout the identity) on the first step's inputs after the steps; for Adam and AdamW the same again under sgd. with SGD (lr 0.05, momentum 0.9)
  from the same start, which the fuzzer compares instead where a gradient is zero but for rounding.
"""
import sys
import traceback
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

MODELS = {}
SGD_REPLACEMENT = ('sgd', dict(lr=0.05, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0))


def LEAF(t):
    """A let that grad(...) differentiates with respect to: a tensor of its own (a view where torch returned its
    input object, as F.dropout in evaluation or with p = 0 does, so that the gradient follows the let's own uses, as
    docs/language.md says), or a fresh leaf when nothing with a gradient reaches it."""
    return t.view_as(t) if t.requires_grad else t.detach().requires_grad_()


def GRAD(of, wrt, seed):
    """grad(of, wrt[, seed]): torch.autograd.grad with create_graph, zeros where of does not reach wrt."""
    if not of.requires_grad:
        return torch.zeros_like(wrt)
    g = torch.autograd.grad(of, wrt, grad_outputs=seed, create_graph=True, allow_unused=True)[0]
    return torch.zeros_like(wrt) if g is None else g


def BN(x, running_mean, running_var, weight, bias, momentum, eps, counter, cumulative, S):
    """batch_norm with nn.BatchNorm's bookkeeping in training: the counter, and momentum None as 1 / count."""
    if not S['training']:
        return F.batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    if counter is not None:
        S['counters'][counter] += 1
        if cumulative:
            momentum = 1.0 / float(S['counters'][counter])
    return F.batch_norm(x, running_mean, running_var, weight, bias, True, momentum, eps)


def DROP(x, p, site, S):
    """F.dropout (torch 1.13's _dropout_impl) with modelc's mask for this call and step."""
    if p == 0 or not S['training']:
        return x
    if p == 1:
        return x * torch.zeros((), dtype=x.dtype)
    noise = S['masks'][site].to(x.dtype).reshape(x.shape).clone()
    noise.div_(1 - p)
    return x * noise


def GELU(x, approximate):
    """F.gelu whose backward gets a contiguous gradient: torch 1.13's float32 gelu_backward with approximate='none'
    on CPU is wrong (by units, and not deterministic) when the gradient is not contiguous and the input is (a
    gradient through a transpose, x @ gelu(y).mT); the values are those of F.gelu."""
    y = F.gelu(x, approximate=approximate)
    if y.requires_grad:
        y.register_hook(lambda g: g.contiguous())
    return y


def optimizer(opt, params):
    kind, args = opt
    if kind == 'sgd':
        return torch.optim.SGD(params, **args)
    return (torch.optim.Adam if kind == 'adam' else torch.optim.AdamW)(params, **args)


def wide(t):
    return t.detach().to(torch.float64).numpy().copy()


def inputs(spec, data, step):
    """The inputs of a step (grad(...) targets requiring grad) and its dropout masks by site."""
    X = {}
    masks = {}
    head = 'x.%d.' % step
    for k in data.files:
        if k.startswith(head):
            a = data[k]
            X[k[len(head):]] = torch.from_numpy(a.astype(np.int64)) if a.dtype.kind == 'i' \
                else torch.from_numpy(a.copy()).to(spec['dtype'])
        elif k.startswith('m.%d.' % step):
            masks[int(k.split('.')[2])] = torch.from_numpy(data[k].copy())
    for n in spec['grad_inputs']:
        X[n].requires_grad_()
    return X, masks


def run(spec, data, opt, prefix, out):
    dt = spec['dtype']
    P = {}
    for n in spec['params']:
        P[n] = torch.from_numpy(data['p.' + n].copy()).to(dt).requires_grad_()
    for n in spec['buffers']:
        P[n] = torch.from_numpy(data['p.' + n].copy()).to(dt)
    counters = {n: int(data['p.' + n].reshape(-1)[0]) for n in spec['counters']}
    sizes = {k[5:]: int(data[k]) for k in data.files if k.startswith('size.')}
    trainable = [P[n] for n in spec['params']]
    optim = optimizer(opt, trainable) if trainable else None
    for step in range(int(data['steps'])):
        X, masks = inputs(spec, data, step)
        S = dict(sizes=sizes, counters=counters, masks=masks, training=True)
        if optim is not None:
            optim.zero_grad(set_to_none=False)  # torch 1.13's default
        loss, V = spec['fn'](P, X, S)
        loss.backward()
        out[prefix + 'loss.%d' % step] = np.array(loss.item(), dtype=np.float64)
        for n in spec['params']:
            g = P[n].grad
            if g is None:
                out[prefix + 'nograd.' + n] = np.array(1.0)
                g = torch.zeros_like(P[n])
            out[prefix + 'grad.%d.%s' % (step, n)] = wide(g)
        if step == 0 and prefix == '':
            for name, v in V.items():
                out['value.' + name] = wide(v)
            for name, v in X.items():
                out['value.' + name] = wide(v)
        if optim is not None:
            optim.step()
        for n in spec['params']:
            out[prefix + 'param.%d.%s' % (step, n)] = wide(P[n])
    X, _ = inputs(spec, data, 0)  # evaluation mode (model.eval()) on the first step's inputs
    loss, V = spec['fn'](P, X, dict(sizes=sizes, counters=counters, masks={}, training=False))
    out[prefix + 'eval.loss'] = np.array(loss.item(), dtype=np.float64)
    for name in spec['outputs']:
        if name in V:
            out[prefix + 'eval.value.' + name] = wide(V[name])
    for n in spec['buffers']:
        out[prefix + 'buffer.' + n] = wide(P[n])
    for n, c in counters.items():
        out[prefix + 'counter.' + n] = np.array(float(c))


def main(argv):
    folder = Path(argv[1])
    torch.set_num_threads(1)
    source = (folder / 'models.py').read_text()
    exec(compile(source, str(folder / 'models.py'), 'exec'), globals())
    for mid, spec in MODELS.items():
        try:
            data = np.load(folder / (mid + '.in.npz'))
            out = {}
            run(spec, data, spec['opt'], '', out)
            if spec['opt'][0] != 'sgd':
                run(spec, data, SGD_REPLACEMENT, 'sgd.', out)
            np.savez(folder / (mid + '.out.npz'), **out)
        except Exception:
            (folder / (mid + '.err')).write_text(traceback.format_exc())
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
