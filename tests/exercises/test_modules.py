"""Hidden tests: nn.Module, Parameter, Sequential."""

import torch

from grader.testing import (check_close, check_equal, check_tensor, computed_once, expect_raises, fail,
                            graded, seeded_tensor)


# ---------------------------------------------------------------- probes (run in the worker)
def affine_facts(student, in_features, out_features, x):
    """Affine(in_features, out_features), its named_parameters() and its output on x"""
    layer = student.modules.Affine(in_features, out_features)
    params = [(name, tuple(p.shape), isinstance(p, nn.Parameter), p.requires_grad)
              for name, p in layer.named_parameters()]
    weight = getattr(layer, "weight", None)
    bias = getattr(layer, "bias", None)
    weight = weight.detach().clone() if isinstance(weight, torch.Tensor) else None
    bias = bias.detach().clone() if isinstance(bias, torch.Tensor) else None
    return params, weight, bias, layer(x)


def affine_grads_and_dtype(student, x):
    """Affine(4, 3)(x).sum().backward(), then Affine(4, 3).double() on a float64 input"""
    layer = student.modules.Affine(4, 3)
    out = layer(x)
    out.sum().backward()
    grads = {name: (p.grad.clone() if p.grad is not None else None) for name, p in layer.named_parameters()}
    layer = layer.double()
    try:
        moved = layer(x.double()).dtype == torch.float64
    except RuntimeError:  # a parameter left behind in float32 meets the float64 input
        moved = False
    return grads, moved, all(p.dtype == torch.float64 for p in layer.parameters())


def block_facts(student, style):
    """conv_block(style), its children and its output on a (2, 3, 8, 8) batch"""
    block = student.modules.conv_block(style)
    children = [(name, type(m).__name__) for name, m in block.named_children()]
    conv = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    bn = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
    conv_cfg = [(c.in_channels, c.out_channels, tuple(c.kernel_size)) for c in conv]
    bn_cfg = [b.num_features for b in bn]
    # The layers as they are before the call: the trusted side calls them one after the other.
    layers = None
    if len(conv) == 1 and len(bn) == 1:
        c, b = conv[0], bn[0]
        layers = {"conv": dict(in_channels=c.in_channels, out_channels=c.out_channels, kernel_size=c.kernel_size,
                               stride=c.stride, padding=c.padding, dilation=c.dilation, groups=c.groups,
                               bias=c.bias is not None, padding_mode=c.padding_mode),
                  "conv_state": {k: v.detach().clone() for k, v in c.state_dict().items()},
                  "bn": dict(num_features=b.num_features, eps=b.eps, momentum=b.momentum, affine=b.affine,
                             track_running_stats=b.track_running_stats),
                  "bn_state": {k: v.detach().clone() for k, v in b.state_dict().items()}, "bn_training": b.training}
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    out = block(x)
    return (isinstance(block, nn.Sequential), children, conv_cfg, bn_cfg, tuple(out.shape), bool((out >= 0).all()),
            out.detach(), layers)


def count_plain(student):
    """count_parameters on nn.Linear(3, 2) and on Linear(5, 4) -> ReLU -> Linear(4, 3) -> Conv2d(3, 2, 3)"""
    seq = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    conv = nn.Conv2d(3, 2, 3)
    return (student.modules.count_parameters(nn.Linear(3, 2)),
            student.modules.count_parameters(seq),
            student.modules.count_parameters(conv, trainable_only=False))


def count_frozen(student):
    """count_parameters on Linear(6, 5) (frozen) -> Linear(5, 2), and on a fully frozen Linear(3, 3)"""
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 2))
    for p in model[0].parameters():
        p.requires_grad_(False)
    frozen = nn.Linear(3, 3).requires_grad_(False)
    flags = [p.requires_grad for p in model.parameters()]
    counts = (student.modules.count_parameters(model),
              student.modules.count_parameters(model, trainable_only=True),
              student.modules.count_parameters(model, trainable_only=False),
              student.modules.count_parameters(model, False),
              student.modules.count_parameters(frozen),
              student.modules.count_parameters(frozen, trainable_only=False))
    unchanged = flags == [p.requires_grad for p in model.parameters()]
    return counts, unchanged


def mlp_facts(student, in_features, hidden, out_features, x):
    """MLP(in_features, hidden, out_features), its parts and its output on x"""
    model = student.modules.MLP(in_features, hidden, out_features)
    out = model(x)
    has = (isinstance(getattr(model, "features", None), nn.Module),
           isinstance(getattr(model, "classifier", None), nn.Module))
    if not all(has):
        return out, has, None, None
    first = [m for m in model.features.modules() if isinstance(m, nn.Linear)]
    last = [m for m in model.classifier.modules() if isinstance(m, nn.Linear)]
    layers = {}
    if len(first) == 1 and len(last) == 1:
        layers = {"features weight": first[0].weight, "features bias": first[0].bias,
                  "classifier weight": last[0].weight, "classifier bias": last[0].bias}
        layers = {k: (v.detach().clone() if v is not None else None) for k, v in layers.items()}
    return out, has, layers, sum(p.numel() for p in model.parameters())


def mlp_parts(student, x):
    """MLP(5, 7, 3): features(x), classifier(...) and the model's output"""
    model = student.modules.MLP(5, 7, 3)
    if not (isinstance(getattr(model, "features", None), nn.Module)
            and isinstance(getattr(model, "classifier", None), nn.Module)):
        return None
    hidden = model.features(x)
    clf = model.classifier
    clf_cfg = (type(clf).__name__, getattr(clf, "in_features", None), getattr(clf, "out_features", None))
    feature_types = [type(m).__name__ for m in model.features.modules()]
    return hidden, model.classifier(hidden), model(x), clf_cfg, feature_types


def seq_outputs(student, vocab, embed, hidden, classes, tokens, changed):
    """SequenceClassifier(vocab, embed, hidden, classes) on tokens and on a changed copy (same weights)"""
    torch.manual_seed(0)
    model = student.modules.SequenceClassifier(vocab, embed, hidden, classes)
    with torch.no_grad():
        return model(tokens), model(changed)


def seq_reference(student, tokens):
    """SequenceClassifier(30, 6, 8, 4)(tokens), and the same through its own Embedding, LSTM and Linear"""
    torch.manual_seed(1)
    model = student.modules.SequenceClassifier(30, 6, 8, 4)
    found = {kind: [m for m in model.modules() if isinstance(m, kind)] for kind in (nn.Embedding, nn.LSTM, nn.Linear)}
    counts = {kind.__name__: len(ms) for kind, ms in found.items()}
    with torch.no_grad():
        out = model(tokens)
        alone = torch.cat([model(tokens[i:i + 1]) for i in range(tokens.shape[0])])
    if any(len(ms) != 1 for ms in found.values()):
        return out, alone, None, counts, None
    emb, lstm, lin = found[nn.Embedding][0], found[nn.LSTM][0], found[nn.Linear][0]
    # Its own parts, for the trusted side to call one after the other.
    parts = {"embedding": (emb.num_embeddings, emb.embedding_dim),
             "lstm": dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size, num_layers=lstm.num_layers,
                          bias=lstm.bias, batch_first=lstm.batch_first, bidirectional=lstm.bidirectional,
                          proj_size=lstm.proj_size),
             "linear": (lin.in_features, lin.out_features, lin.bias is not None),
             "states": [{k: v.detach().clone() for k, v in m.state_dict().items()} for m in (emb, lstm, lin)]}
    return out, alone, parts, counts, lstm.batch_first


def sequence_reference(parts, tokens):
    """Linear(h_n[-1]) from the classifier's own Embedding and LSTM, called one after the other."""
    if parts is None:
        return None
    emb, lstm = nn.Embedding(*parts["embedding"]), nn.LSTM(**parts["lstm"])
    lin = nn.Linear(parts["linear"][0], parts["linear"][1], bias=parts["linear"][2])
    for module, state in zip((emb, lstm, lin), parts["states"]):
        module.load_state_dict(state)
    with torch.no_grad():
        e = emb(tokens)
        _, (h_n, _) = lstm(e if lstm.batch_first else e.transpose(0, 1))
        return lin(h_n[-1])


# ---------------------------------------------------------------- Affine
@graded("Affine", points=2, visible=True)
def test_affine_parameters_and_forward(student):
    """The weight must be random: equal weights make every output unit compute the same thing and get
    the same gradient, so the units never become different. The bias need not be: the random weights
    already tell the units apart and a zero bias is common practice, so it must only be finite."""
    x = seeded_tensor(50, 5, 4)
    params, weight, bias, out = student.probe(affine_facts, 4, 3, x)
    names = {name: shape for name, shape, _, _ in params}
    check_equal(names, {"weight": (3, 4), "bias": (3,)},
                what="{name: shape} of Affine(4, 3).named_parameters()")
    for name, _, is_param, requires_grad in params:
        if not is_param or not requires_grad:
            fail(f"Affine(4, 3).{name} is not a trainable nn.Parameter")
    check_tensor(out, shape=(5, 3), dtype=torch.float32, what="Affine(4, 3)(x (5, 4))")
    for name, value in (("weight", weight), ("bias", bias)):
        if not torch.isfinite(value).all():
            fail(f"Affine(4, 3).{name} holds {value.flatten()[:4].tolist()}...: not finite (nan or inf); "
                 f"initialize {name} with small values (as nn.Linear does: uniform in "
                 "[-1/sqrt(in_features), 1/sqrt(in_features)])")
    if float(weight.max() - weight.min()) == 0.0:
        fail(f"Affine(4, 3).weight holds {weight.flatten()[:4].tolist()}...: every entry is the same. Equal "
             "weights make every output unit compute the same thing and get the same gradient; initialize the "
             "weight with random values (as nn.Linear does: uniform in [-1/sqrt(in_features), "
             "1/sqrt(in_features)]). A zero bias is fine.")
    check_close(out, x @ weight.T + bias, what="Affine(4, 3)(x) (x @ weight.T + bias)")


@graded("Affine", points=2)
def test_affine_registered_parameters(student):
    for seed, (fin, fout), xshape in [(51, (7, 2), (6, 7)), (52, (3, 5), (2, 4, 3))]:
        x = seeded_tensor(seed, *xshape)
        params, weight, bias, out = student.probe(affine_facts, fin, fout, x)
        if not params:
            fail(f"Affine({fin}, {fout}).named_parameters() is empty: a tensor stored as a plain attribute is "
                 "not registered; wrap weight and bias in nn.Parameter")
        check_equal([(n, s) for n, s, _, _ in sorted(params)], [("bias", (fout,)), ("weight", (fout, fin))],
                    what=f"the (name, shape) pairs of Affine({fin}, {fout}).named_parameters()")
        for name, _, is_param, requires_grad in params:
            if not is_param:
                fail(f"Affine({fin}, {fout}).{name} is registered but is not an nn.Parameter")
            if not requires_grad:
                fail(f"Affine({fin}, {fout}).{name} does not require grad; parameters must be trainable")
        check_tensor(out, shape=(*xshape[:-1], fout), dtype=torch.float32, what=f"Affine({fin}, {fout})(x {xshape})")
        check_close(out, x @ weight.T + bias, what=f"Affine({fin}, {fout})(x {xshape})")


@graded("Affine", points=1)
def test_affine_gradients_and_dtype(student):
    x = seeded_tensor(53, 6, 4)
    grads, moved, params64 = student.probe(affine_grads_and_dtype, x)
    check_equal(sorted(grads), ["bias", "weight"], what="the parameter names of Affine(4, 3)")
    for name, expected in [("weight", torch.ones(6, 3).T @ x), ("bias", torch.full((3,), 6.0))]:
        if grads[name] is None:
            fail(f"after Affine(4, 3)(x).sum().backward(), {name}.grad is None; forward must use the parameter")
        check_close(grads[name], expected, rtol=1e-5, atol=1e-5,
                    what=f"{name}.grad after Affine(4, 3)(x).sum().backward()")
    if not (moved and params64):
        fail("Affine(4, 3).double() left weight or bias in float32; only registered parameters follow "
             ".double() and .to(device)")


# ---------------------------------------------------------------- conv_block
EXPECTED_CHILDREN = {
    "add_module": [("conv", "Conv2d"), ("batchnorm", "BatchNorm2d"), ("activation_layer", "ReLU")],
    "args": [("0", "Conv2d"), ("1", "BatchNorm2d"), ("2", "ReLU")],
    "ordered_dict": [("conv1", "Conv2d"), ("bn1", "BatchNorm2d"), ("relu1", "ReLU")],
}


def block_reference(layers):
    """The block's own Conv2d, BatchNorm2d (in the mode the block left it) and ReLU called one after the other."""
    if layers is None:
        return None
    conv, bn = nn.Conv2d(**layers["conv"]), nn.BatchNorm2d(**layers["bn"])
    conv.load_state_dict(layers["conv_state"])
    bn.load_state_dict(layers["bn_state"])
    bn.train(layers["bn_training"])
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return torch.relu(bn(conv(x)))


def check_block(student, style):
    is_seq, children, conv_cfg, bn_cfg, out_shape, nonneg, out, layers = student.probe(block_facts, style)
    ref = block_reference(layers)
    what = f'conv_block("{style}")'
    if not is_seq:
        fail(f"{what} did not return an nn.Sequential")
    check_equal(children, EXPECTED_CHILDREN[style], what=f"the (name, type) children of {what}")
    check_equal(conv_cfg, [(3, 3, (3, 3))], what=f"(in_channels, out_channels, kernel_size) of the Conv2d of {what}")
    check_equal(bn_cfg, [3], what=f"num_features of the BatchNorm2d of {what}")
    check_equal(out_shape, (2, 3, 6, 6), what=f"the output shape of {what} on a (2, 3, 8, 8) batch")
    if not nonneg:
        fail(f"{what} gave negative outputs; ReLU must come last")
    check_close(out, ref, rtol=1e-5, atol=1e-5,
                what=f"{what} on a (2, 3, 8, 8) batch compared with its own Conv2d, BatchNorm2d and ReLU in turn")


@graded("conv_block", points=1, visible=True)
def test_conv_block_args(student):
    check_block(student, "args")


@graded("conv_block", points=2, visible=True)
def test_conv_block_named_styles(student):
    check_block(student, "add_module")
    check_block(student, "ordered_dict")


@graded("conv_block", points=1)
def test_conv_block_unknown_style(student):
    check_block(student, "args")
    for style in ("sequential", "Args", ""):
        expect_raises("ValueError", lambda style=style: student.conv_block(style),
                      what=f'conv_block("{style}") (an unknown style)')


# ---------------------------------------------------------------- count_parameters
@graded("count_parameters", points=1, visible=True)
def test_count_parameters_plain(student):
    linear, seq, conv = student.probe(count_plain)
    check_equal(linear, 3 * 2 + 2, what="count_parameters(nn.Linear(3, 2))")
    check_equal(seq, 5 * 4 + 4 + 4 * 3 + 3, what="count_parameters(Linear(5, 4) -> ReLU -> Linear(4, 3))")
    check_equal(conv, 2 * 3 * 3 * 3 + 2, what="count_parameters(nn.Conv2d(3, 2, 3), trainable_only=False)")


@graded("count_parameters", points=2, visible=True)
def test_count_parameters_trainable_only(student):
    counts, unchanged = student.probe(count_frozen)
    trainable, total = 5 * 2 + 2, 6 * 5 + 5 + 5 * 2 + 2
    labels = ["count_parameters(model) (frozen first layer; trainable_only defaults to True)",
              "count_parameters(model, trainable_only=True) (frozen first layer)",
              "count_parameters(model, trainable_only=False) (frozen first layer)",
              "count_parameters(model, False) (frozen first layer)",
              "count_parameters(frozen nn.Linear(3, 3))",
              "count_parameters(frozen nn.Linear(3, 3), trainable_only=False)"]
    for got, want, what in zip(counts, [trainable, trainable, total, total, 0, 12], labels):
        check_equal(got, want, what=what)
    if not unchanged:
        fail("count_parameters changed requires_grad on the model's parameters; it must only count")


# ---------------------------------------------------------------- MLP
@graded("MLP", points=2, visible=True)
def test_mlp_forward(student):
    for seed, (fin, hid, fout), batch in [(60, (4, 16, 3), 8), (61, (6, 5, 2), 3)]:
        x = seeded_tensor(seed, batch, fin)
        out, has, layers, total = student.probe(mlp_facts, fin, hid, fout, x)
        check_tensor(out, shape=(batch, fout), dtype=torch.float32,
                     what=f"MLP({fin}, {hid}, {fout})(x ({batch}, {fin}))")
        if not all(has):
            fail(f"MLP({fin}, {hid}, {fout}) has no sub-module "
                 f"{'features' if not has[0] else 'classifier'}; keep the names features and classifier")
        if not layers:
            fail(f"MLP({fin}, {hid}, {fout}): expected one nn.Linear in features and one in classifier")
        shapes = {k: (tuple(v.shape) if v is not None else None) for k, v in layers.items()}
        check_equal(shapes, {"features weight": (hid, fin), "features bias": (hid,),
                             "classifier weight": (fout, hid), "classifier bias": (fout,)},
                    what=f"the shapes of the Linear layers of MLP({fin}, {hid}, {fout})")
        check_equal(total, hid * fin + hid + fout * hid + fout,
                    what=f"the number of parameters of MLP({fin}, {hid}, {fout})")
        h = torch.relu(x @ layers["features weight"].T + layers["features bias"])
        check_close(out, h @ layers["classifier weight"].T + layers["classifier bias"], rtol=1e-5, atol=1e-5,
                    what=f"MLP({fin}, {hid}, {fout})(x) (Linear -> ReLU -> Linear)")


@graded("MLP", points=2)
def test_mlp_features_and_classifier(student):
    x = seeded_tensor(62, 4, 5)
    parts = student.probe(mlp_parts, x)
    if parts is None:
        fail("MLP(5, 7, 3) must have the sub-modules `features` (Linear + ReLU) and `classifier` (Linear) "
             "as attributes")
    hidden, logits, out, clf_cfg, feature_types = parts
    check_tensor(hidden, shape=(4, 7), dtype=torch.float32, what="MLP(5, 7, 3).features(x (4, 5))")
    if hidden.min().item() < 0:
        fail("MLP(5, 7, 3).features(x) has negative values; features is Linear followed by ReLU")
    if "Linear" not in feature_types or "ReLU" not in feature_types:
        fail(f"MLP(5, 7, 3).features is made of {feature_types}; expected a Linear and a ReLU")
    check_equal(clf_cfg, ("Linear", 7, 3), what="(type, in_features, out_features) of MLP(5, 7, 3).classifier")
    check_tensor(out, shape=(4, 3), dtype=torch.float32, what="MLP(5, 7, 3)(x (4, 5))")
    check_close(out, logits, what="MLP(5, 7, 3)(x) compared with classifier(features(x))")


# ---------------------------------------------------------------- SequenceClassifier
@graded("SequenceClassifier", points=2, visible=True)
def test_sequence_classifier_shapes(student):
    for seed, (vocab, emb, hid, classes), (batch, steps) in [(70, (20, 8, 16, 3), (4, 10)),
                                                             (71, (50, 4, 6, 5), (7, 3))]:
        tokens = seeded_tensor(seed, batch, steps, dtype=torch.int64, low=0, high=vocab)
        out, _ = student.probe(seq_outputs, vocab, emb, hid, classes, tokens, tokens)
        check_tensor(out, shape=(batch, classes), dtype=torch.float32,
                     what=f"SequenceClassifier({vocab}, {emb}, {hid}, {classes})(tokens ({batch}, {steps}))")
        if not torch.isfinite(out).all():
            fail("SequenceClassifier returned non-finite values")
        # Different sequences give different outputs: a constant of the right shape is not a classifier.
        if float((out - out[0]).abs().max()) < 1e-6:
            fail(f"SequenceClassifier({vocab}, {emb}, {hid}, {classes}) gave the same output for all {batch} "
                 "token sequences of the batch; the output must come from the tokens, through the "
                 "Embedding and the LSTM")


@graded("SequenceClassifier", points=2)
def test_sequence_classifier_reads_the_whole_sequence(student):
    tokens = seeded_tensor(72, 3, 6, dtype=torch.int64, low=0, high=20)
    changed = tokens.clone()
    changed[:, -1] = (changed[:, -1] + 7) % 20  # only the last token of each row differs
    out, out_changed = student.probe(seq_outputs, 20, 5, 8, 3, tokens, changed)
    check_tensor(out, shape=(3, 3), dtype=torch.float32, what="SequenceClassifier(20, 5, 8, 3)(tokens (3, 6))")
    diff = (out - out_changed).abs().amax(dim=1)
    if (diff < 1e-6).any():
        fail("SequenceClassifier(20, 5, 8, 3) gave the same output after only the last token of a sequence "
             "changed: it does not classify from the state after the last step (use h_n[-1], not output[:, 0])")
    row = tokens.clone()
    row[1, 2:] = (row[1, 2:] + 3) % 20  # only sequence 1 changes
    out, out_row = student.probe(seq_outputs, 20, 5, 8, 3, tokens, row)
    moved = (out - out_row).abs().amax(dim=1)
    if moved[1] < 1e-6:
        fail("changing tokens 2..5 of sequence 1 left its output unchanged; the output must depend on "
             "the whole sequence")
    if moved[0] > 1e-5 or moved[2] > 1e-5:
        rows = [i for i in range(3) if moved[i] > 1e-5]
        fail(f"changing only sequence 1 of the batch changed the outputs of rows {rows}; "
             "expected row 1 only (is the LSTM batch_first?)")


@graded("SequenceClassifier", points=2, visible=True)
def test_sequence_classifier_last_hidden_state(student):
    tokens = seeded_tensor(73, 5, 4, dtype=torch.int64, low=0, high=30)
    out, alone, parts, counts, batch_first = student.probe(seq_reference, tokens)
    ref = sequence_reference(parts, tokens)
    what = "SequenceClassifier(30, 6, 8, 4)(tokens (5, 4))"
    check_tensor(out, shape=(5, 4), dtype=torch.float32, what=what)
    check_close(alone, out, rtol=1e-4, atol=1e-5,
                what=what + " compared row by row with each sequence classified alone")
    if ref is None:
        fail(f"SequenceClassifier(30, 6, 8, 4) has {counts} modules of each kind; expected one Embedding, "
             "one LSTM and one Linear")
    if not batch_first:
        fail("the LSTM of SequenceClassifier is not batch_first; inputs are (B, T)")
    check_close(out, ref, rtol=1e-4, atol=1e-5,
                what=what + " compared with Linear(h_n[-1]) from its own Embedding and LSTM")


# ---------------------------------------------------------------- TinyCNN
import torch.nn.functional as F  # noqa: E402 - the trusted reference computations below
from torch import nn  # noqa: E402


def tinycnn_facts(student, in_channels, num_classes, inputs, p):
    """TinyCNN(in_channels, num_classes[, p]): its layers, and its outputs in eval() (twice) and train() (twice)"""
    torch.manual_seed(0)
    if p is None:
        model = student.modules.TinyCNN(in_channels, num_classes)
    else:
        model = student.modules.TinyCNN(in_channels, num_classes, p)

    def layers(part):
        if not isinstance(part, nn.Module):
            return None
        out = []
        for m in (part.children() if isinstance(part, nn.Sequential) else [part]):
            cfg = None
            if isinstance(m, nn.Conv2d):
                cfg = (m.in_channels, m.out_channels, tuple(m.kernel_size), tuple(m.padding))
            elif isinstance(m, nn.MaxPool2d):
                cfg = m.kernel_size
            elif isinstance(m, nn.AdaptiveAvgPool2d):
                cfg = m.output_size
            elif isinstance(m, nn.Dropout):
                cfg = m.p
            elif isinstance(m, nn.Linear):
                cfg = (m.in_features, m.out_features)
            out.append((type(m).__name__, cfg))
        return out

    structure = (layers(getattr(model, "features", None)), layers(getattr(model, "classifier", None)))
    weights = [(m.weight.detach().clone(), m.bias.detach().clone())
               for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    results = {}
    with torch.no_grad():
        model.eval()
        results["eval"] = [model(x) for x in inputs]
        results["eval again"] = [model(x) for x in inputs]
        model.train()
        results["train"] = [model(x) for x in inputs]
        results["train again"] = [model(x) for x in inputs]
    return structure, weights, results


def tinycnn_reference(weights, x):
    (w1, b1), (w2, b2), (wl, bl) = weights
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    h = F.relu(F.conv2d(h, w2, b2, padding=1)).mean(dim=(2, 3))
    return h @ wl.T + bl


def tinycnn_structure(in_channels, num_classes, p):
    features = [("Conv2d", (in_channels, 8, (3, 3), (1, 1))), ("ReLU", None), ("MaxPool2d", 2),
                ("Conv2d", (8, 16, (3, 3), (1, 1))), ("ReLU", None), ("AdaptiveAvgPool2d", 1)]
    classifier = [("Flatten", None), ("Dropout", p), ("Linear", (16, num_classes))]
    return features, classifier


def check_tinycnn(student, in_channels, num_classes, p, shapes, seed):
    inputs = [seeded_tensor(seed + k, *shape) for k, shape in enumerate(shapes)]
    call = f"TinyCNN({in_channels}, {num_classes}{'' if p is None else f', p={p}'})"
    structure, weights, results = student.probe(tinycnn_facts, in_channels, num_classes, inputs, p)
    features, classifier = tinycnn_structure(in_channels, num_classes, 0.5 if p is None else p)
    if structure[0] is None or structure[1] is None:
        fail(f"{call} has no sub-module {'features' if structure[0] is None else 'classifier'}; keep the "
             "names features and classifier")
    check_equal(structure[0], features, what=f"the (layer, settings) of {call}.features")
    check_equal(structure[1], classifier, what=f"the (layer, settings) of {call}.classifier"
                + (" (p defaults to 0.5)" if p is None else ""))
    for k, x in enumerate(inputs):
        what = f"{call}.eval()(x {tuple(x.shape)})"
        out = results["eval"][k]
        check_tensor(out, shape=(x.shape[0], num_classes), dtype=torch.float32, what=what)
        check_close(out, tinycnn_reference(weights, x), rtol=1e-4, atol=1e-5,
                    what=what + " (features, then classifier, with dropout off)")
        check_close(results["eval again"][k], out, rtol=0, atol=0,
                    what=what + ", called a second time (eval() must be deterministic)")
    return inputs, weights, results, call


@graded("TinyCNN", points=2, visible=True)
def test_tinycnn_layers_and_eval_output(student):
    check_tinycnn(student, 3, 5, None, [(2, 3, 16, 16)], 100)


@graded("TinyCNN", points=2, visible=True)
def test_tinycnn_any_input_size(student):
    check_tinycnn(student, 1, 4, 0.3, [(3, 1, 2, 2), (2, 1, 7, 9), (1, 1, 33, 20)], 101)
    check_tinycnn(student, 2, 7, 0.1, [(2, 2, 5, 64)], 104)


@graded("TinyCNN", points=2, visible=True)
def test_tinycnn_dropout_only_in_train_mode(student):
    inputs, weights, results, call = check_tinycnn(student, 2, 6, None, [(8, 2, 12, 10)], 105)
    train, again, evaluated = results["train"][0], results["train again"][0], results["eval"][0]
    check_tensor(train, shape=(8, 6), dtype=torch.float32, what=f"{call}.train()(x (8, 2, 12, 10))")
    if torch.equal(train, again):
        fail(f"{call}.train() gave the same output twice: in train() mode dropout (p=0.5) must zero "
             "features at random, a different draw each call")
    if torch.allclose(train, evaluated, rtol=1e-5, atol=1e-6):
        fail(f"{call}.train() gave the same output as eval(): in train() mode dropout (p=0.5) must zero "
             "features (eval() switches it off)")
    _, _, results, call = check_tinycnn(student, 2, 6, 0.0, [(4, 2, 9, 9)], 106)
    check_close(results["train"][0], results["eval"][0], rtol=1e-5, atol=1e-6,
                what=f"{call}.train()(x) compared with eval() (p=0.0: dropout keeps everything)")


# ---------------------------------------------------------------- upsample
def upsample_facts(student, in_channels, out_channels, x):
    """upsample(in_channels, out_channels), its settings, and its output on x"""
    torch.manual_seed(0)
    layer = student.modules.upsample(in_channels, out_channels)
    cfg = None
    if isinstance(layer, nn.ConvTranspose2d):
        cfg = {"in_channels": layer.in_channels, "out_channels": layer.out_channels,
               "kernel_size": tuple(layer.kernel_size), "stride": tuple(layer.stride),
               "padding": tuple(layer.padding), "output_padding": tuple(layer.output_padding),
               "dilation": tuple(layer.dilation), "groups": layer.groups}
        weight, bias = layer.weight.detach().clone(), layer.bias.detach().clone() if layer.bias is not None else None
    else:
        weight = bias = None
    with torch.no_grad():
        out = layer(x)
    return type(layer).__name__, cfg, weight, bias, out


def check_upsample(student, in_channels, out_channels, x):
    name, cfg, weight, bias, out = student.probe(upsample_facts, in_channels, out_channels, x)
    call = f"upsample({in_channels}, {out_channels})"
    if cfg is None:
        fail(f"{call} returned a {name}, expected an nn.ConvTranspose2d")
    check_equal(cfg, {"in_channels": in_channels, "out_channels": out_channels, "kernel_size": (2, 2),
                      "stride": (2, 2), "padding": (0, 0), "output_padding": (0, 0), "dilation": (1, 1),
                      "groups": 1},
                what=f"the settings of the layer from {call}")
    if bias is None:  # bias=False is not asked for, but not the lesson either
        bias = torch.zeros(out_channels)
    b, _, h, w = x.shape
    what = f"{call}(x {tuple(x.shape)})"
    check_tensor(out, shape=(b, out_channels, 2 * h, 2 * w), dtype=torch.float32, what=what)
    check_close(out, F.conv_transpose2d(x, weight, bias, stride=2), rtol=1e-5, atol=1e-5, what=what)
    return weight, bias, out


@graded("upsample", points=2, visible=True)
def test_upsample_doubles_height_and_width(student):
    check_upsample(student, 4, 2, seeded_tensor(110, 1, 4, 3, 5))


@graded("upsample", points=2)
def test_upsample_shapes(student):
    for seed, (cin, cout), shape in [(111, (8, 3), (2, 8, 5, 5)), (112, (3, 6), (1, 3, 1, 7)),
                                     (113, (5, 5), (3, 5, 4, 2))]:
        check_upsample(student, cin, cout, seeded_tensor(seed, *shape))


@graded("upsample", points=1)
def test_upsample_each_pixel_paints_its_own_patch(student):
    x = torch.zeros(1, 2, 3, 4)
    x[0, :, 1, 2] = torch.tensor([1.5, -2.0])  # one pixel lit, at row 1, column 2
    weight, bias, out = check_upsample(student, 2, 3, x)
    patch = out[0, :, 2:4, 4:6] - bias[:, None, None]
    check_close(patch, 1.5 * weight[0] - 2.0 * weight[1], rtol=1e-5, atol=1e-5,
                what="upsample(2, 3) on an input with one pixel lit at (1, 2): the output patch rows 2-3, "
                     "columns 4-5 (minus the bias)")


# ---------------------------------------------------------------- lstm_cell_unroll
def unroll_probe(student, weights, x, state, how, backward):
    """lstm_cell_unroll(cell, x[, state]) with an nn.LSTMCell holding the given weights"""
    w_ih, w_hh, b_ih, b_hh = weights
    cell = nn.LSTMCell(w_ih.shape[1], w_hh.shape[1])
    with torch.no_grad():
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), weights):
            p.copy_(v)
    before = (x.clone(), None if state is None else [s.clone() for s in state])
    if how == "default":
        result = student.modules.lstm_cell_unroll(cell, x)
    elif how == "positional":
        result = student.modules.lstm_cell_unroll(cell, x, state)
    else:
        result = student.modules.lstm_cell_unroll(cell, x, state=state)
    grads = None
    if backward:
        try:
            outputs, (h, c) = result
            (outputs.sum() + h.sum() + c.sum()).backward()
            grads = [None if p.grad is None else p.grad.clone()
                     for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
        except Exception:  # noqa: BLE001 - a malformed result is judged on the trusted side
            grads = None
    unchanged = torch.equal(before[0], x) and (state is None or all(
        torch.equal(a, b) for a, b in zip(before[1], state)))
    return result, grads, unchanged


def lstm_weights(seed, features, hidden):
    return [seeded_tensor(seed, 4 * hidden, features) * 0.5, seeded_tensor(seed + 1, 4 * hidden, hidden) * 0.5,
            seeded_tensor(seed + 2, 4 * hidden) * 0.5, seeded_tensor(seed + 3, 4 * hidden) * 0.5]


@computed_once
def lstm_reference(weights, x, state):
    """A one-layer batch-first nn.LSTM holding the same weights; its output, (h, c) and the gradients
    of outputs.sum() + h.sum() + c.sum()."""
    hidden = weights[1].shape[1]
    lstm = nn.LSTM(x.shape[2], hidden, batch_first=True)
    with torch.no_grad():
        for name, v in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), weights):
            getattr(lstm, name).copy_(v)
    if state is None:
        out, (h, c) = lstm(x)
    else:
        out, (h, c) = lstm(x, (state[0][None], state[1][None]))
    (out.sum() + h.sum() + c.sum()).backward()
    grads = [lstm.weight_ih_l0.grad, lstm.weight_hh_l0.grad, lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad]
    return out.detach(), h[0].detach(), c[0].detach(), grads


def check_unroll(student, seed, batch, steps, features, hidden, how, backward=False):
    weights = lstm_weights(seed, features, hidden)
    x = seeded_tensor(seed + 4, batch, steps, features)
    state = None
    if how != "default":
        state = (seeded_tensor(seed + 5, batch, hidden), seeded_tensor(seed + 6, batch, hidden))
    call = (f"lstm_cell_unroll(nn.LSTMCell({features}, {hidden}), x ({batch}, {steps}, {features})"
            + {"default": ")", "positional": ", (h0, c0))", "keyword": ", state=(h0, c0))"}[how])
    result, grads, unchanged = student.probe(unroll_probe, weights, x, state, how, backward)
    if not isinstance(result, (tuple, list)) or len(result) != 2 or not isinstance(result[1], (tuple, list)) \
            or len(result[1]) != 2:
        fail(f"{call} returned {type(result).__name__} {result!r:.80}, expected (outputs, (h, c))")
    outputs, (h, c) = result
    want_out, want_h, want_c, want_grads = lstm_reference(weights, x, state)
    compared = "compared with nn.LSTM (batch_first) holding the same weights"
    check_tensor(outputs, shape=(batch, steps, hidden), dtype=torch.float32, what=f"the outputs of {call}")
    check_tensor(h, shape=(batch, hidden), dtype=torch.float32, what=f"the final h of {call}")
    check_tensor(c, shape=(batch, hidden), dtype=torch.float32, what=f"the final c of {call}")
    start = "zeros" if how == "default" else "the given (h0, c0)"
    check_close(outputs, want_out, rtol=1e-4, atol=1e-5,
                what=f"the outputs of {call}, {compared} (each step starts from the previous step's (h, c); "
                     f"step 0 from {start})")
    check_close(h, want_h, rtol=1e-4, atol=1e-5, what=f"the final h of {call}, {compared}")
    check_close(c, want_c, rtol=1e-4, atol=1e-5, what=f"the final c of {call}, {compared}")
    if not unchanged:
        fail(f"{call} changed x or the given state in place; it must leave its inputs unchanged")
    if backward:
        names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        if grads is None or any(g is None for g in grads):
            fail(f"after (outputs.sum() + h.sum() + c.sum()).backward() on the result of {call}, the cell's "
                 "parameters have no gradient; keep the computation in the graph")
        for name, got, want in zip(names, grads, want_grads):
            check_close(got, want, rtol=1e-4, atol=1e-5,
                        what=f"cell.{name}.grad after (outputs.sum() + h.sum() + c.sum()).backward() on {call}, "
                             "compared with nn.LSTM's (gradients must flow through every step: don't detach "
                             "the state)")


@graded("lstm_cell_unroll", points=2, visible=True)
def test_lstm_cell_unroll_from_zeros(student):
    check_unroll(student, 120, 2, 5, 3, 4, "default")


@graded("lstm_cell_unroll", points=2)
def test_lstm_cell_unroll_from_a_given_state(student):
    check_unroll(student, 130, 3, 7, 2, 5, "positional")
    check_unroll(student, 140, 1, 1, 4, 3, "keyword")


@graded("lstm_cell_unroll", points=2, visible=True)
def test_lstm_cell_unroll_gradients(student):
    check_unroll(student, 150, 4, 6, 3, 2, "default", backward=True)
    check_unroll(student, 160, 2, 3, 2, 3, "keyword", backward=True)


# ---------------------------------------------------------------- parameter_names
def build_model(kind):
    """The models parameter_names is tried on (built the same way on both sides)."""
    from collections import OrderedDict
    if kind == "conv_bn_head":  # registration order is not alphabetical; BatchNorm has buffers
        return nn.Sequential(OrderedDict([("conv", nn.Conv2d(3, 4, 3)), ("bn", nn.BatchNorm2d(4)),
                                          ("head", nn.Linear(4, 2))]))
    if kind == "partly_frozen":
        model = nn.Sequential(OrderedDict([("embed", nn.Embedding(10, 4)),
                                           ("body", nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 3))),
                                           ("bn", nn.BatchNorm1d(3)), ("out", nn.Linear(3, 2))]))
        model.embed.requires_grad_(False)
        model.body[2].bias.requires_grad_(False)
        model.bn.weight.requires_grad_(False)
        return model
    if kind == "frozen":
        return nn.Linear(3, 3).requires_grad_(False)
    if kind == "nested":
        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(5, 6)
                self.scale = nn.Parameter(torch.ones(6))
                self.layers = nn.ModuleList([nn.LayerNorm(6), nn.Linear(6, 6, bias=False)])
                self.register_buffer("steps", torch.zeros(()))

        model = nn.Module()
        model.zeta = Encoder()
        model.alpha = nn.Linear(6, 2)
        model.tied = model.alpha  # the same module twice: its parameters are listed once
        return model
    raise ValueError(kind)


def names_probe(student, builder, calls):
    """parameter_names(model[, trainable_only]) on the test's models"""
    out = []
    for kind, args in calls:
        model = builder(kind)
        flags = [p.requires_grad for p in model.parameters()]
        names = student.modules.parameter_names(model, **args)
        out.append((names, flags == [p.requires_grad for p in model.parameters()]))
    return out


@computed_once
def expected_names(kind, trainable_only=True):
    return [n for n, p in build_model(kind).named_parameters() if p.requires_grad or not trainable_only]


def check_names(student, calls):
    results = student.probe(names_probe, student.ship(build_model), calls)
    for (kind, args), (names, unchanged) in zip(calls, results):
        arg = "".join(f", {k}={v}" for k, v in args.items())
        what = f"parameter_names({kind} model{arg}) (the names from named_parameters(), in order"
        what += ", trainable ones only)" if args.get("trainable_only", True) else ", all of them)"
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            fail(f"{what} returned {type(names).__name__} {names!r:.80}, expected a list of str")
        check_equal(names, expected_names(kind, **args), what=what)
        if not unchanged:
            fail(f"parameter_names({kind} model{arg}) changed requires_grad on the model's parameters; it "
                 "must only read them")


def names_of_small_model(student):
    """parameter_names(model) and parameter_names(model, trainable_only=False) for model =
    nn.Sequential(conv=nn.Conv2d(1, 2, 3), bn=nn.BatchNorm2d(2), head=nn.Linear(2, 1)) with conv.bias frozen"""
    from collections import OrderedDict
    model = nn.Sequential(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("bn", nn.BatchNorm2d(2)),
                                       ("head", nn.Linear(2, 1))]))
    model.conv.bias.requires_grad_(False)
    flags = [p.requires_grad for p in model.parameters()]
    trainable = student.modules.parameter_names(model)
    every = student.modules.parameter_names(model, trainable_only=False)
    return trainable, every, flags == [p.requires_grad for p in model.parameters()]


@graded("parameter_names", points=1, visible=True)
def test_parameter_names_small_model(student):
    trainable, every, unchanged = student.probe(names_of_small_model)
    model = "nn.Sequential(conv=Conv2d(1, 2, 3), bn=BatchNorm2d(2), head=Linear(2, 1)) with conv.bias frozen"
    # Registration order (not alphabetical); BatchNorm's running_mean, running_var and num_batches_tracked
    # are buffers, not parameters.
    check_equal(trainable, ["conv.weight", "bn.weight", "bn.bias", "head.weight", "head.bias"],
                what=f"parameter_names({model}) (trainable ones only, in the model's order)")
    check_equal(every, ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.weight", "head.bias"],
                what=f"parameter_names({model}, trainable_only=False) (all of them, in the model's order)")
    if not unchanged:
        fail("parameter_names(model) changed requires_grad on the model's parameters; it must only read them")


@graded("parameter_names", points=2)
def test_parameter_names_in_model_order(student):
    check_names(student, [("conv_bn_head", {}), ("conv_bn_head", {"trainable_only": False})])


@graded("parameter_names", points=2)
def test_parameter_names_trainable_only(student):
    check_names(student, [("partly_frozen", {}), ("partly_frozen", {"trainable_only": True}),
                          ("partly_frozen", {"trainable_only": False}), ("frozen", {}),
                          ("frozen", {"trainable_only": False})])


@graded("parameter_names", points=1)
def test_parameter_names_nested_and_shared(student):
    check_names(student, [("nested", {}), ("nested", {"trainable_only": False})])
