"""Mutants of the reference solutions, made with the ast module: do the tests bite?

A mutant is a solution module with one small change: an operator or comparison swapped, a
constant changed (dims and axes included), a boolean flipped, a method call dropped
(`.detach()`, `.clone()`), an argument dropped (`keepdim=True`), a condition negated, a
statement deleted, a `return` made `return None`. Each mutant belongs to the task whose code it
changes (a helper's mutants belong to every task that uses the helper). Its id hashes the changed
top-level definition without annotations and docstrings, so rewording those keeps the judgements
of equivalent mutants.

The garbage "mutant" of a module replaces every task with a constant of the right type and shape.
"""

import ast
import copy
import hashlib
import os

LIBRARIES = {"torch", "np", "numpy", "nn", "F", "math", "Image", "operator", "functools", "copy"}



# ---------------------------------------------------------------- the tasks a definition belongs to
def owners(tree, tasks):
    """{top-level name: the tasks its mutants belong to}: a task owns itself; a helper belongs to
    every task that uses it, directly or through other helpers."""
    defs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            defs[node.targets[0].id] = node
    uses = {name: {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defs and n.id != name}
            for name, node in defs.items()}
    result = {}
    for name in defs:
        result[name] = {name} if name in tasks else set()
    changed = True
    while changed:  # a task owns what it uses, transitively
        changed = False
        for user, used in uses.items():
            if user not in result or not result[user]:
                continue
            for name in used:
                if name not in tasks and not result[user] <= result[name]:
                    result[name] |= result[user]
                    changed = True
    return {name: sorted(t) for name, t in result.items() if t}


# ---------------------------------------------------------------- mutation operators
BINOPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult, ast.FloorDiv],
          ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv], ast.Pow: [ast.Mult], ast.MatMult: [ast.Mult],
          ast.BitAnd: [ast.BitOr], ast.BitOr: [ast.BitAnd]}
COMPARES = {ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt, ast.GtE], ast.Gt: [ast.GtE, ast.Lt],
            ast.GtE: [ast.Gt, ast.LtE], ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.Is: [ast.IsNot],
            ast.IsNot: [ast.Is], ast.In: [ast.NotIn], ast.NotIn: [ast.In]}


def constant_variants(value):
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return sorted({value + 1, value - 1} - {value})
    if isinstance(value, float):
        return [value + 1.0, value * 2.0] if value else [1.0]
    if isinstance(value, str):
        return [value + "_"]
    return []


def mutations(node, parent, field):
    """(kind, apply) pairs for one node; apply(node, parent) changes a copy of the tree in place."""
    out = []
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in BINOPS:
        for new in BINOPS[type(node.op)]:
            out.append((f"op {type(node.op).__name__}->{new.__name__}", lambda n, p, new=new: setattr(n, "op", new())))
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for new in COMPARES.get(type(op), []):
                out.append((f"cmp {type(op).__name__}->{new.__name__}",
                            lambda n, p, i=i, new=new: n.ops.__setitem__(i, new())))
    if isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And
        out.append((f"boolop ->{new.__name__}", lambda n, p, new=new: setattr(n, "op", new())))
    if isinstance(node, ast.Constant) and field != "docstring":
        for new in constant_variants(node.value):
            out.append((f"const {node.value!r}->{new!r}", lambda n, p, new=new: setattr(n, "value", new)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        out.append((f"drop {type(node.op).__name__}", lambda n, p: replace(p, n, n.operand)))
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        out.append(("negate condition", lambda n, p: setattr(n, "test", ast.UnaryOp(ast.Not(), n.test))))
    if isinstance(node, ast.Call):
        func = node.func
        is_method = isinstance(func, ast.Attribute) and not (
            isinstance(func.value, ast.Name) and func.value.id in LIBRARIES)
        if is_method:
            out.append((f"drop call .{func.attr}()", lambda n, p: replace(p, n, n.func.value)))
            for i in range(len(node.args)):
                out.append((f"drop arg {i} of .{func.attr}()", lambda n, p, i=i: n.args.pop(i)))
        for i, kw in enumerate(node.keywords):
            if kw.arg:
                out.append((f"drop keyword {kw.arg}=", lambda n, p, i=i: n.keywords.pop(i)))
    if isinstance(node, ast.Return) and not (isinstance(node.value, ast.Constant) and node.value.value is None):
        out.append(("return None", lambda n, p: setattr(n, "value", ast.Constant(None))))
    if isinstance(node, ast.stmt) and field in ("body", "orelse") and not is_docstring(node):
        out.append((f"delete {type(node).__name__}", lambda n, p: delete(p, n)))
    return out


def is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def replace(parent, old, new):
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is old:
                    value[i] = new
                    return
    raise ValueError("node not found in its parent")


def delete(parent, stmt):
    for field in ("body", "orelse"):
        body = getattr(parent, field, None)
        if isinstance(body, list) and any(s is stmt for s in body):
            body[:] = [s for s in body if s is not stmt] or [ast.Pass()]
            return
    raise ValueError("statement not found in its parent")


def skipped(node, parent):
    """Parts that are not behaviour: docstrings, messages of raised exceptions, f-strings."""
    return (isinstance(node, ast.JoinedStr) or isinstance(parent, ast.JoinedStr)
            or (isinstance(node, ast.Constant) and isinstance(node.value, str) and isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Name) and parent.func.id.endswith("Error")))


def walk(tree):
    """(node, parent, field, top-level name) for every node below the module's top-level defs."""
    def visit(node, parent, field, top):
        if isinstance(node, ast.Raise):  # raising is the behaviour; the message is not
            yield node, parent, field, top
            return
        if skipped(node, parent):
            return
        if is_docstring(node) and field == "body":
            return
        yield node, parent, field, top
        for child_field, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.AST) and not isinstance(child, (ast.expr_context, ast.operator,
                                                                          ast.cmpop, ast.unaryop, ast.boolop)):
                    yield from visit(child, node, child_field, top)

    for stmt in tree.body:
        name = getattr(stmt, "name", None)
        if name is None and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
        if name and isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.Assign)):
            for field, value in ast.iter_fields(stmt):
                if field in ("name", "decorator_list", "returns", "bases", "targets"):
                    continue
                for child in (value if isinstance(value, list) else [value]):
                    if isinstance(child, ast.AST):
                        yield from visit(child, stmt, field, name)


def named(stmt, name):
    return getattr(stmt, "name", None) == name or (
        isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", None) == name)


def fingerprint(stmt):
    """The code of a top-level definition as a mutant's id hashes it: without annotations and
    docstrings, so that rewording those keeps the ids (and the judgements of the equivalent)."""
    stmt = copy.deepcopy(stmt)
    for node in ast.walk(stmt):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if is_docstring(node.body[0]) and len(node.body) > 1:
                node.body = node.body[1:]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs + \
                    [node.args.vararg, node.args.kwarg]:
                if arg is not None:
                    arg.annotation = None
    return ast.unparse(stmt)


def module_mutants(solutions, module, tasks):
    """Every mutant of <solutions>/<module>.py: dicts with id, module, tasks, line, kind, source."""
    with open(os.path.join(solutions, f"{module}.py"), encoding="utf-8") as fh:
        source = fh.read()
    tree = ast.parse(source)
    owner_of = owners(tree, set(tasks))
    found = []
    for index, (node, parent, field, top) in enumerate(walk(tree)):
        if top not in owner_of:
            continue
        for k, (kind, _) in enumerate(mutations(node, parent, field)):
            mutated = copy.deepcopy(tree)
            node2, parent2, _, _ = list(walk(mutated))[index]
            _, apply = mutations(node2, parent2, field)[k]
            try:
                apply(node2, parent2)
                ast.fix_missing_locations(mutated)
                new_source = ast.unparse(mutated)
                compile(new_source, module, "exec")
            except (ValueError, SyntaxError, TypeError):
                continue
            top_source = fingerprint(next(s for s in mutated.body if named(s, top)))
            if top_source == fingerprint(next(s for s in tree.body if named(s, top))):
                continue  # the change vanished in unparsing (e.g. -1 written as a constant)
            digest = hashlib.sha1(top_source.encode()).hexdigest()[:8]
            found.append({"id": f"{module}.{top}.{digest}", "module": module, "tasks": owner_of[top],
                          "line": getattr(node, "lineno", 0), "kind": kind, "source": new_source})
    unique = {}
    for m in found:  # two changes that give the same code are one mutant
        unique.setdefault(m["id"], m)
    return list(unique.values())


# ---------------------------------------------------------------- garbage
GARBAGE = '''

# ---- garbage: every task replaced by a constant of the right type and shape
import functools as _functools


def _garbage(value):
    import numpy as _np
    import torch as _torch
    from PIL import Image as _Image
    if isinstance(value, _torch.Tensor):
        out = _torch.zeros_like(value.detach())
        return out.requires_grad_(True) if value.requires_grad and out.is_floating_point() else out
    if isinstance(value, _np.ndarray):
        return _np.zeros_like(value)
    if isinstance(value, _np.generic):
        return type(value)(0)
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return ""
    if isinstance(value, (int, float)):
        return type(value)(0)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_garbage(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_garbage(v) for v in value)
    if isinstance(value, dict):
        return {k: _garbage(v) for k, v in value.items()}
    if isinstance(value, _Image.Image):
        return _Image.new(value.mode, value.size)
    if isinstance(value, _torch.device):
        return _torch.device("cpu")
    if isinstance(value, _torch.utils.data.DataLoader):
        data = value.dataset
        tensors = getattr(data, "tensors", None)
        if tensors is not None:
            data = _torch.utils.data.TensorDataset(*(_torch.zeros_like(t) for t in tensors))
        return _torch.utils.data.DataLoader(data, batch_size=value.batch_size)
    if isinstance(value, _torch.optim.Optimizer):
        for group in value.param_groups:
            group["lr"] = 0.0
            if "momentum" in group:
                group["momentum"] = 0.0
        return value
    if isinstance(value, _torch.nn.Module):
        forward = value.forward
        value.forward = lambda *a, **k: _garbage(forward(*a, **k))
        return value
    if callable(value):
        return _functools.wraps(value)(lambda *a, **k: _garbage(value(*a, **k)))
    return value


def _garbage_task(task):
    if isinstance(task, type):
        namespace = {}
        for name in ("forward", "__getitem__", "__len__"):
            if name in vars(task):
                namespace[name] = (lambda name: lambda self, *a, **k: _garbage(getattr(super(cls, self), name)(*a, **k)))(name)
        cls = type(task.__name__, (task,), namespace)
        return cls
    return _functools.wraps(task)(lambda *a, **k: _garbage(task(*_copies(a), **_copies(k))))


def _copies(args):
    """The reference runs on copies, so a constant answer leaves no side effect behind (a model
    trained, a module moved): the garbage answer is nothing but its return value."""
    import copy as _copy
    try:
        return _copy.deepcopy(args)
    except Exception:
        return args


for _name in {tasks!r}:
    globals()[_name] = _garbage_task(globals()[_name])
'''


def garbage_mutants(solutions, modules):
    """{module: tasks} -> one "mutant" per module: every task answers a constant of the right
    type and shape (zeros of the reference answer's dtype and shape, a blank image...)."""
    out = []
    for module, tasks in modules.items():
        with open(os.path.join(solutions, f"{module}.py"), encoding="utf-8") as fh:
            source = fh.read()
        out.append({"id": f"{module}.garbage", "module": module, "tasks": tasks, "line": 0, "kind": "garbage",
                    "source": source + GARBAGE.replace("{tasks!r}", repr(tasks))})
    return out


def show(mutant):
    """The code of the top-level definition the mutant changed."""
    top = mutant["id"].split(".")[1]
    tree = ast.parse(mutant["source"])
    return next((ast.unparse(s) for s in tree.body if named(s, top)), "")


def diff(mutant, solutions):
    """A unified diff of the changed definition against the reference."""
    import difflib
    top = mutant["id"].split(".")[1]
    with open(os.path.join(solutions, f"{mutant['module']}.py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    before = next((ast.unparse(s) for s in tree.body if named(s, top)), "") + "\n"
    return "".join(difflib.unified_diff(before.splitlines(True), (show(mutant) + "\n").splitlines(True),
                                        f"solutions/{mutant['module']}.py", "mutant", n=1))
