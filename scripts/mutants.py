"""Mutation check of the hidden tests: do they bite? (A developer tool, not part of the test suite.)

    python scripts/mutants.py                      # every module of solutions/
    python scripts/mutants.py --module shapes      # one module (repeatable)
    python scripts/mutants.py --garbage            # every task replaced by a constant: must score 0
    python scripts/mutants.py --list               # only list the mutants, grade nothing

A mutant is the reference solution with one small change made through the ast module: an
operator or comparison swapped, a constant changed (dims and axes included), a boolean flipped,
a method call dropped (`.detach()`, `.clone()`), an argument dropped (`keepdim=True`), a
condition negated, a statement deleted, a `return` made `return None`. Each mutant belongs to
the task whose code it changes (a helper's mutants belong to every task that uses the helper).

Grading: a round holds at most one mutant per module, in a copy of solutions/, and is graded once
with `python -m grader.cli grade DIR -e MODULE... -q --timeout T`. Modules do not import each
other, so each module's result is its own mutant's. Per mutant:

- killed:     its task lost points;
- survivor:   its task kept full marks (the tests cannot tell it from the reference);
- collateral: another task lost points (a test that grades one task through another).

Survivors listed in scripts/mutants_equivalent.txt (one id per line, `#` and the reason after it)
are equivalent mutants: the same behaviour for every input the curriculum allows. Every other
survivor is a gap in the tests.

`--garbage` replaces every task of every module with a constant of the right type and shape
(zeros of the reference answer's dtype and shape, a blank image, a model whose forward returns
zeros...) and must see 0 points on every task.

Results are appended to a state file (default: mutants-state.jsonl, ignored by git) as they
come, so an interrupted run resumes where it stopped; `--fresh` starts over.
"""

import argparse
import ast
import concurrent.futures
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(PROJECT, "solutions")
MANIFEST = os.path.join(PROJECT, "exercises", "manifest.toml")
EQUIVALENT = os.path.join(PROJECT, "scripts", "mutants_equivalent.txt")
LIBRARIES = {"torch", "np", "numpy", "nn", "F", "math", "Image", "operator", "functools", "copy"}


# ---------------------------------------------------------------- the course
def course_tasks():
    with open(MANIFEST, "rb") as fh:
        manifest = tomllib.load(fh)
    return {ex["name"]: [t["name"] for t in ex["tasks"]] for ex in manifest["exercises"]}


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


def module_mutants(module, tasks):
    """Every mutant of solutions/<module>.py: dicts with id, module, tasks, line, kind, source."""
    with open(os.path.join(SOLUTIONS, f"{module}.py")) as fh:
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


def garbage_mutants(course):
    out = []
    for module, tasks in course.items():
        with open(os.path.join(SOLUTIONS, f"{module}.py")) as fh:
            source = fh.read()
        out.append({"id": f"{module}.garbage", "module": module, "tasks": tasks, "line": 0, "kind": "garbage",
                    "source": source + GARBAGE.replace("{tasks!r}", repr(tasks))})
    return out


# ---------------------------------------------------------------- grading
def grade_round(round_, timeout):
    """Grade one round ({module: mutant}); returns {mutant id: {task: [score, max]}} or an error."""
    folder = tempfile.mkdtemp(prefix="mutants-")
    try:
        for name in os.listdir(SOLUTIONS):
            if name.endswith(".py"):
                shutil.copy(os.path.join(SOLUTIONS, name), folder)
        for module, mutant in round_.items():
            with open(os.path.join(folder, f"{module}.py"), "w") as fh:
                fh.write(mutant["source"])
        cmd = [sys.executable, "-m", "grader.cli", "grade", folder, "-q", "--timeout", str(timeout)]
        for module in sorted(round_):
            cmd += ["-e", module]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT, timeout=600)
        if proc.returncode != 0:
            return {m["id"]: {"error": proc.stderr[-500:]} for m in round_.values()}
        report = json.loads(proc.stdout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out = {}
    for ex in report["exercises"]:
        scores = {}
        for test in ex["tests"]:
            if test["status"] == "skipped":
                continue
            got = scores.setdefault(test["task"], [0.0, 0.0])
            got[0] += test["score"]
            got[1] += test["max_score"]
        out[round_[ex["name"]]["id"]] = scores
    return out


def verdict(mutant, scores):
    if "error" in scores:
        return "error", []
    own = [t for t in mutant["tasks"] if t in scores]
    others = [t for t, (got, full) in scores.items() if t not in mutant["tasks"] and got < full]
    if mutant["kind"] == "garbage":
        earning = [t for t, (got, _) in scores.items() if got > 0]
        return ("earns points" if earning else "zero"), earning
    if others:
        return "collateral", others
    if own and all(scores[t][0] >= scores[t][1] for t in own):
        return "survivor", own
    return "killed", []


def load_equivalent():
    found = {}
    if os.path.exists(EQUIVALENT):
        with open(EQUIVALENT) as fh:
            for line in fh:
                key, _, reason = line.partition("#")
                if key.strip():
                    found[key.strip()] = reason.strip()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", action="append", default=[], help="only this module (repeatable)")
    parser.add_argument("--garbage", action="store_true", help="grade constant answers: every task must score 0")
    parser.add_argument("--jobs", type=int, default=1, help="rounds graded at once (default 1)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per call into a mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", action="append", default=[], help="only the mutant with this id (repeatable)")
    parser.add_argument("--show", metavar="ID", help="print the code of one mutant's changed function")
    parser.add_argument("--state", default=os.path.join(PROJECT, "mutants-state.jsonl"),
                        help="results file, appended to as rounds finish (resume by rerunning)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results in the state file")
    parser.add_argument("--report", action="store_true",
                        help="grade nothing: report on the mutants the state file already holds")
    args = parser.parse_args()

    course = course_tasks()
    modules = args.module or sorted(course)
    unknown = [m for m in modules if m not in course]
    if unknown:
        parser.error(f"unknown module {unknown[0]!r}; choose from {', '.join(course)}")
    course = {m: course[m] for m in modules}
    mutants = garbage_mutants(course) if args.garbage else [
        m for module, tasks in course.items() for m in module_mutants(module, tasks)]
    if args.only:
        mutants = [m for m in mutants if m["id"] in args.only]
    if args.show:
        mutant = next(m for m in mutants if m["id"] == args.show)
        top = mutant["id"].split(".")[1]
        tree = ast.parse(mutant["source"])
        print(f"# {mutant['id']}: {mutant['kind']} (line {mutant['line']})")
        print(next(ast.unparse(s) for s in tree.body if getattr(s, "name", None) == top
                   or (isinstance(s, ast.Assign) and getattr(s.targets[0], "id", None) == top)))
        return 0
    if args.list:
        for m in mutants:
            print(f"{m['id']}  line {m['line']}: {m['kind']}  ({', '.join(m['tasks'])})")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0

    done = {}
    if os.path.exists(args.state) and not args.fresh:
        with open(args.state) as fh:
            for line in fh:
                entry = json.loads(line)
                if entry.get("source_hash"):
                    done[entry["id"]] = entry
    by_hash = {m["id"]: hashlib.sha1(m["source"].encode()).hexdigest() for m in mutants}
    todo = [m for m in mutants if done.get(m["id"], {}).get("source_hash") != by_hash[m["id"]]
            or "error" in done[m["id"]]["scores"]]
    queues = {}
    for m in todo:
        queues.setdefault(m["module"], []).append(m)
    rounds = [{mod: q[i] for mod, q in queues.items() if i < len(q)}
              for i in range(max((len(q) for q in queues.values()), default=0))]
    if args.report:
        rounds = []
        mutants = [m for m in mutants if m["id"] in done and done[m["id"]]["source_hash"] == by_hash[m["id"]]]
    if not args.report:
        print(f"{len(mutants)} mutants, {len(mutants) - len(todo)} already graded, {len(rounds)} rounds to run",
              file=sys.stderr)
    started = time.monotonic()
    with open(args.state, "a") as state, concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(grade_round, r, args.timeout): r for r in rounds}
        for k, future in enumerate(concurrent.futures.as_completed(futures), 1):
            round_ = futures[future]
            results = future.result()
            for module, mutant in round_.items():
                entry = {"id": mutant["id"], "source_hash": by_hash[mutant["id"]],
                         "scores": results.get(mutant["id"], {"error": "no result"})}
                done[mutant["id"]] = entry
                state.write(json.dumps(entry) + "\n")
            state.flush()
            print(f"  round {k}/{len(rounds)} done ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    elapsed = time.monotonic() - started

    equivalent = load_equivalent()
    counts = {}
    lines = []
    for m in mutants:
        what, tasks = verdict(m, done[m["id"]]["scores"])
        if what == "survivor" and m["id"] in equivalent:
            what = "equivalent"
        counts[what] = counts.get(what, 0) + 1
        if what in ("survivor", "collateral", "error", "earns points"):
            detail = ", ".join(tasks) if what != "error" else done[m["id"]]["scores"]["error"][-200:]
            lines.append(f"{what.upper():12} {m['id']}  line {m['line']}: {m['kind']}  [{detail}]")
    for line in lines:
        print(line)
    if args.garbage:
        print(f"garbage: {counts.get('zero', 0)} modules score 0, {counts.get('earns points', 0)} earn points")
        return 1 if counts.get("earns points") or counts.get("error") else 0
    judged = len(mutants) - counts.get("equivalent", 0) - counts.get("error", 0)
    killed = counts.get("killed", 0)
    rate = 100.0 * killed / judged if judged else 100.0
    print(f"{len(mutants)} mutants: {killed} killed, {counts.get('equivalent', 0)} equivalent, "
          f"{counts.get('survivor', 0)} survivors, {counts.get('collateral', 0)} collateral, "
          f"{counts.get('error', 0)} errors; kill rate {rate:.1f} % of the non-equivalent; "
          f"graded in {elapsed:.0f} s")
    stale = sorted(set(equivalent) - {m["id"] for m in mutants})
    if stale and not args.module and not args.only:
        print(f"{len(stale)} ids in {os.path.relpath(EQUIVALENT, PROJECT)} match no mutant: {', '.join(stale)}")
    return 1 if counts.get("survivor") or counts.get("collateral") or counts.get("error") else 0


if __name__ == "__main__":
    sys.exit(main())
