"""Hidden tests: nn.Module, Parameter, Sequential."""

import torch

from grader.testing import (check_close, check_equal, check_tensor, expect_raises, fail, graded,
                            seeded_tensor)


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
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    out = block(x)
    # The same layers called one after the other, in training mode as the block is.
    ref = torch.relu(bn[0](conv[0](x))) if len(conv) == 1 and len(bn) == 1 else None
    return (isinstance(block, nn.Sequential), children, conv_cfg, bn_cfg, tuple(out.shape), bool((out >= 0).all()),
            out.detach(), ref.detach() if ref is not None else None)


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
        e = emb(tokens)
        _, (h_n, _) = lstm(e if lstm.batch_first else e.transpose(0, 1))
        ref = lin(h_n[-1])
    return out, alone, ref, counts, lstm.batch_first


# ---------------------------------------------------------------- Affine
@graded("Affine", points=2, visible=True)
def test_affine_parameters_and_forward(student):
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
        if not torch.isfinite(value).all() or float(value.max() - value.min()) == 0.0:
            fail(f"Affine(4, 3).{name} holds {value.flatten()[:4].tolist()}...: not small random values. Equal "
                 "weights make every output unit compute the same thing and get the same gradient; initialize "
                 "with random values (as nn.Linear does: uniform in [-1/sqrt(in_features), 1/sqrt(in_features)])")
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


def check_block(student, style):
    is_seq, children, conv_cfg, bn_cfg, out_shape, nonneg, out, ref = student.probe(block_facts, style)
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


@graded("conv_block", points=2)
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


@graded("count_parameters", points=2)
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


@graded("SequenceClassifier", points=2)
def test_sequence_classifier_last_hidden_state(student):
    tokens = seeded_tensor(73, 5, 4, dtype=torch.int64, low=0, high=30)
    out, alone, ref, counts, batch_first = student.probe(seq_reference, tokens)
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
