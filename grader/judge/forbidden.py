"""Static detection of forbidden calls, on the trusted side, from the submission's source.

The source is parsed, never run. For a task we look at its function (or class)
and every module-level function it reaches by name, and flag:
- attribute chains ending in a forbidden name (``F.softmax``, ``x.log_softmax``),
- names bound by an import of a forbidden object (``from torch import softmax as s``),
- strings that spell a forbidden name, also when built by ``+`` or ``"".join``
  (``getattr(F, "soft" + "max")``),
- for the NumPy-only rule ("torch"), any use of a name bound to a torch import.
The worker's run-time monitor catches what gets past this.
"""

import ast

from .. import safe_text


def short_names(forbidden):
    return {name.rsplit(".", 1)[-1] for name in forbidden if name != "torch"}


def constant_string(node):
    """The value of a string expression built from literals, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = constant_string(node.left), constant_string(node.right)
        if left is not None and right is not None:
            return left + right
    if isinstance(node, ast.JoinedStr):
        parts = [constant_string(v) if not isinstance(v, ast.FormattedValue) else constant_string(v.value)
                 for v in node.values]
        if all(p is not None for p in parts):
            return "".join(parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        sep = constant_string(node.func.value)
        if sep is not None and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
            parts = [constant_string(e) for e in node.args[0].elts]
            if all(p is not None for p in parts):
                return sep.join(parts)
    return None


class ModuleIndex:
    def __init__(self, tree):
        self.defs = {}
        self.imports = {}  # local name -> dotted origin
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs[node.name] = node
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.imports[local] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                origin = self.dotted(node.value)
                if origin is not None:
                    self.imports[node.targets[0].id] = origin

    def dotted(self, node):
        """'torch.nn.functional.softmax' for `F.softmax` when F is an import of torch.nn.functional."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.imports:
            return ".".join([self.imports[node.id], *reversed(parts)])
        return None

    def reachable(self, name):
        """The task's definition and the module-level definitions it uses, by name."""
        seen, todo, nodes = set(), [name], []
        while todo:
            current = todo.pop()
            if current in seen or current not in self.defs:
                continue
            seen.add(current)
            node = self.defs[current]
            nodes.append(node)
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and sub.id in self.defs:
                    todo.append(sub.id)
        return nodes


def find(source, task, forbidden):
    """Forbidden uses in `task`'s code: a list of (line, description).

    `source` is text or the file's bytes; either way it is read as Python reads it (a UTF-8
    BOM, a coding line, CRLF), so a file that imports is never skipped as unparsable."""
    if not forbidden:
        return []
    source = safe_text.decode_source(source) if isinstance(source, bytes) else source.lstrip("\ufeff")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return find_in(tree, task, forbidden)


def find_in(tree, task, forbidden):
    """find() on a module already parsed (the grader parses each module once for all its tasks)."""
    if not forbidden:
        return []
    index = ModuleIndex(tree)
    names = short_names(forbidden)
    full = set(forbidden)
    numpy_only = "torch" in full
    hits = []
    for node in index.reachable(task):
        for sub in ast.walk(node):
            line = getattr(sub, "lineno", 0)
            if isinstance(sub, ast.Attribute) and sub.attr in names:
                origin = index.dotted(sub) or f"...{sub.attr}"
                hits.append((line, origin))
            elif isinstance(sub, ast.Name) and sub.id in index.imports:
                origin = index.imports[sub.id]
                if origin in full or origin.rsplit(".", 1)[-1] in names:
                    hits.append((line, origin))
                elif numpy_only and (origin == "torch" or origin.startswith("torch.")):
                    hits.append((line, f"torch (through {sub.id})"))
            elif isinstance(sub, (ast.Constant, ast.BinOp, ast.JoinedStr, ast.Call)):
                text = constant_string(sub)
                if text is not None and (text in names or text in full):
                    hits.append((line, f"{text!r} (a name built as a string)"))
    unique = {}
    for line, what in hits:
        unique.setdefault(what, line)
    return sorted(((line, what) for what, line in unique.items()))


def describe(task, hits):
    uses = ", ".join(f"{what} (line {line})" for line, what in hits[:5])
    return f"{task} uses {uses}, which this task forbids: the point is to write it yourself"
