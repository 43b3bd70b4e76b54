# The PyTorch CPU peer of bench/peers.mjs: trains one of the bench's three networks for one epoch
# of MNIST with a plain loop (a shuffled index permutation per epoch, index_select per batch on a
# float32 tensor of the images / 255 made beforehand, no DataLoader) and prints one JSON line.
# Not for: anything but timing (the test accuracy it prints is a sanity check, not a result).
#
# Usage: python torch_mlp.py --config A|B|C --threads T --data DIR [--examples N]
#        python torch_mlp.py --serve --data DIR   (bench/peers.mjs: requests {"config", "threads", "examples"} on stdin)
#   A: 784-30-10 sigmoid, quadratic cost sum_j (a_j - y_j)^2 averaged over the batch, SGD eta 1.5, batch 10
#   B: 784-256-256-10 ReLU, softmax + log-likelihood (cross-entropy), SGD eta 0.1, batch 64
#   C: 784-800-10 ReLU, softmax + log-likelihood, Adam lr 1e-3, batch 128
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

CONFIGS = {
    'A': dict(sizes=[784, 30, 10], act='sigmoid', cost='quadratic', opt='sgd', lr=1.5, batch=10),
    'B': dict(sizes=[784, 256, 256, 10], act='relu', cost='log-likelihood', opt='sgd', lr=0.1, batch=64),
    'C': dict(sizes=[784, 800, 10], act='relu', cost='log-likelihood', opt='adam', lr=1e-3, batch=128),
}
WARMUP_BATCHES = 20


def read_idx(path, magic):
    with open(path, 'rb') as f:
        head = np.frombuffer(f.read(8), dtype='>u4')
        if head[0] != magic:
            raise SystemExit(f'{path}: magic {head[0]}, expected {magic}')
        dims = [int(head[1])]
        if magic == 2051:
            dims += list(np.frombuffer(f.read(8), dtype='>u4').astype(int))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(data, prefix):
    images = read_idx(os.path.join(data, f'{prefix}-images-idx3-ubyte'), 2051)
    labels = read_idx(os.path.join(data, f'{prefix}-labels-idx1-ubyte'), 2049)
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255)
    return x, torch.from_numpy(labels.astype(np.int64))


def model_for(c):
    layers = []
    sizes = c['sizes']
    for i in range(1, len(sizes)):
        linear = nn.Linear(sizes[i - 1], sizes[i])
        if c['act'] == 'sigmoid':  # the lecture's N(0, 1) weights and biases (wasm-mlp init 'normal')
            nn.init.normal_(linear.weight)
            nn.init.normal_(linear.bias)
        else:  # He: N(0, 2 / n_in) weights, zero biases (wasm-mlp init 'he')
            nn.init.kaiming_normal_(linear.weight, nonlinearity='relu')
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if c['act'] == 'sigmoid':
            layers.append(nn.Sigmoid())  # every layer, the output too (the lecture)
        elif i < len(sizes) - 1:
            layers.append(nn.ReLU())  # hidden layers; the output's softmax is in the loss
    return nn.Sequential(*layers)


def measure(data, config, threads=1, examples=60000, seed=1):
    c = CONFIGS[config]
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    (x_all, labels_all), (x_test, labels_test) = data
    x_train, labels = x_all[:examples].contiguous(), labels_all[:examples].contiguous()
    y_train = F.one_hot(labels, 10).float() if c['cost'] == 'quadratic' else labels

    model = model_for(c)
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=c['lr']) if c['opt'] == 'sgd' else torch.optim.Adam(params, lr=c['lr'])
    if c['cost'] == 'quadratic':
        loss_fn = lambda out, y: (out - y).pow(2).sum() / out.shape[0]  # sum_j (a_j - y_j)^2, mean over the batch
    else:
        loss_fn = F.cross_entropy  # softmax + log-likelihood, mean over the batch

    n, b = x_train.shape[0], c['batch']

    def epoch(limit=None):
        perm = torch.randperm(n)
        for step, start in enumerate(range(0, n, b)):
            if step == limit:
                break
            idx = perm[start : start + b]
            xb, yb = x_train.index_select(0, idx), y_train.index_select(0, idx)
            loss = loss_fn(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    epoch(WARMUP_BATCHES)  # warm-up: first-call allocations, thread pool start
    t0 = time.perf_counter()
    epoch()
    seconds = time.perf_counter() - t0

    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == labels_test).float().mean().item()
    return {
        'impl': f'PyTorch {torch.__version__}',
        'config': config,
        'threads': torch.get_num_threads(),
        'examples': n,
        'seconds': seconds,
        'testAccuracy': accuracy,
        'mkl': torch.backends.mkl.is_available(),
        'cpuCapability': torch.backends.cpu.get_cpu_capability(),
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--config', choices=CONFIGS, default='A')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--data', required=True)
    p.add_argument('--examples', type=int, default=60000)
    p.add_argument('--serve', action='store_true', help='one JSON request a line on stdin, one JSON result a line on stdout')
    args = p.parse_args()
    data = load(args.data, 'train'), load(args.data, 't10k')
    if not args.serve:
        print(json.dumps(measure(data, args.config, args.threads, args.examples)), flush=True)
        return
    print(json.dumps({'ready': True, 'impl': f'PyTorch {torch.__version__}'}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            reply = measure(data, r['config'], int(r.get('threads', 1)), int(r.get('examples', 60000)))
        except Exception as e:  # reported to the bench, which goes on without this row
            reply = {'error': repr(e)}
        print(json.dumps(reply), flush=True)


if __name__ == '__main__':
    main()
