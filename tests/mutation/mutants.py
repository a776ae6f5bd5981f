"""Single-point mutants of a Python module, and how to put one into the running process.

Each mutant changes one thing in the source — a comparison, an operator, a constant, a rounding
mode, ``min``/``max``, a call statement or ``raise`` dropped, a returned value — inside a function
or method (or a module-level constant). A mutant is applied by compiling the mutated function and
swapping its code object into the live function (``__code__``), so everything that already holds
the function (imports, Django models, properties) runs the mutant; module constants are rebound
wherever they were imported. So one pytest process can run every mutant of a module in turn,
without re-importing Django or recreating the test database for each.
"""

from __future__ import annotations

import ast
import copy
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import Any

COMPARISONS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
OPERATORS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Mult,
    ast.Pow: ast.Mult,
}
BOOLEANS = {ast.And: ast.Or, ast.Or: ast.And}
NAMES = {"min": "max", "max": "min", "True": "False", "False": "True"}
ROUNDING = {"ROUND_HALF_UP": "ROUND_HALF_EVEN", "ROUND_HALF_EVEN": "ROUND_HALF_UP"}


@dataclass(frozen=True)
class Mutant:
    index: int  # 1-based position in the module's list
    raw: int  # position among all candidate changes (some change nothing and make no mutant)
    scope: str  # qualified name of the function, or "<module>:NAME" for a module constant
    description: str  # "scope: before -> after", with "#n" when the same change occurs twice

    @property
    def key(self) -> str:
        return self.description


def _source_of(module_name: str) -> tuple[str, str]:
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin:
        raise LookupError(f"no module {module_name}")
    with open(spec.origin, encoding="utf-8") as handle:
        return spec.origin, handle.read()


def _scopes(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Top-level functions, methods of top-level classes, and module-level constants."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item
        elif isinstance(node, ast.Assign) and all(isinstance(target, ast.Name) for target in node.targets):
            names = ",".join(target.id for target in node.targets)  # type: ignore[attr-defined]
            if not names.startswith("__"):
                yield f"<module>:{names}", node


def _is_docstring(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    return (
        isinstance(parent, ast.Expr)
        and isinstance(parents.get(parent), ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
        and parents[parent].body[0] is parent  # type: ignore[attr-defined]
    )


def _walk_body(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes a mutant may touch: a function's body (not its signature, decorators or
    annotations), or a constant's value."""
    roots = scope.body if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef) else [scope.value]
    for root in roots:
        yield from ast.walk(root)


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _replace(parents: dict[ast.AST, ast.AST], old: ast.AST, new: ast.AST) -> None:
    parent = parents[old]
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for position, item in enumerate(value):
                if item is old:
                    value[position] = new
                    return
    raise AssertionError("node not found in its parent")


def _changes(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterator[tuple[str, Any]]:
    """(label, apply) pairs for one node; ``apply`` edits the tree in place."""
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            if type(op) in COMPARISONS:

                def swap(node: ast.Compare = node, position: int = position, op: ast.cmpop = op) -> None:
                    node.ops[position] = COMPARISONS[type(op)]()

                yield "compare", swap
    elif isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:

        def binop(node: ast.BinOp = node) -> None:
            node.op = OPERATORS[type(node.op)]()

        yield "operator", binop
    elif isinstance(node, ast.AugAssign) and type(node.op) in OPERATORS:

        def augop(node: ast.AugAssign = node) -> None:
            node.op = OPERATORS[type(node.op)]()

        yield "operator", augop
    elif isinstance(node, ast.BoolOp):

        def boolop(node: ast.BoolOp = node) -> None:
            node.op = BOOLEANS[type(node.op)]()

        yield "boolean", boolop
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):

        def unary(node: ast.UnaryOp = node) -> None:
            _replace(parents, node, node.operand)

        yield "unary", unary
    elif isinstance(node, ast.Constant) and not _is_docstring(node, parents):
        value = node.value
        if isinstance(value, bool):

            def flip(node: ast.Constant = node) -> None:
                node.value = not node.value

            yield "constant", flip
        elif isinstance(value, int | float) and not isinstance(parents.get(node), ast.JoinedStr):

            def plus_one(node: ast.Constant = node) -> None:
                node.value = node.value + 1

            yield "constant", plus_one
        elif isinstance(value, str) and not isinstance(parents.get(node), ast.JoinedStr | ast.FormattedValue):

            def text(node: ast.Constant = node) -> None:
                node.value = "XX" + node.value + "XX"

            yield "constant", text
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        if node.id in NAMES:

            def rename(node: ast.Name = node) -> None:
                node.id = NAMES[node.id]

            yield "name", rename
        elif node.id in ROUNDING:

            def rounding(node: ast.Name = node) -> None:
                _replace(parents, node, ast.Constant(ROUNDING[node.id]))

            yield "rounding", rounding
    elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)) or isinstance(node, ast.Raise):

        def drop(node: ast.stmt = node) -> None:
            _replace(parents, node, ast.Pass())

        yield "statement", drop
    elif (
        isinstance(node, ast.Return)
        and node.value is not None
        and not (isinstance(node.value, ast.Constant) and node.value.value is None)
    ):

        def return_none(node: ast.Return = node) -> None:
            node.value = ast.Constant(None)

        yield "return", return_none


def _enumerate(tree: ast.Module, functions: set[str] | None) -> Iterator[tuple[str, ast.AST, str, Any, dict]]:
    parents = _parents(tree)
    for scope_name, scope in _scopes(tree):
        if functions is not None and scope_name not in functions:
            continue
        for node in _walk_body(scope):
            for label, apply in _changes(node, parents):
                yield scope_name, scope, label, apply, parents


def _text(node: ast.AST) -> str:
    return ast.unparse(node).replace("\n", " ")


def _difference(old: str, new: str, room: int = 40) -> tuple[str, str]:
    """The two texts around where they differ (long statements would hide the change)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    left = max(0, start - room)
    prefix = "..." if left else ""
    old_cut = old[left : len(old) - max(0, end - room)]
    new_cut = new[left : len(new) - max(0, end - room)]
    suffix = "..." if end > room else ""
    return prefix + old_cut + suffix, prefix + new_cut + suffix


def _candidate(source: str, wanted: set[str] | None, position: int) -> tuple[ast.Module, str, ast.AST, Any, dict]:
    """A fresh tree with its candidate change number ``position`` (not yet applied)."""
    tree = ast.parse(source)
    for raw, (scope_name, scope, _label, change, parents) in enumerate(_enumerate(tree, wanted)):
        if raw == position:
            return tree, scope_name, scope, change, parents
    raise LookupError(position)


def mutants(module_name: str, functions: list[str] | None = None) -> list[Mutant]:
    """Every single-point mutant of the module (or of the named functions), in a stable order."""
    _path, source = _source_of(module_name)
    wanted = set(functions) if functions else None
    found: list[Mutant] = []
    seen: dict[str, int] = {}
    count = sum(1 for _ in _enumerate(ast.parse(source), wanted))
    for position in range(count):
        _tree, scope_name, scope, change, parents = _candidate(source, wanted, position)
        before = _text(scope)
        statement = _statement_of(scope, change, parents)
        old = _statement_text(statement)
        change()
        if before == _text(scope):
            continue
        old, new = _difference(old, _statement_text(statement))
        base = f"{scope_name}: {old} -> {new}"
        seen[base] = seen.get(base, 0) + 1
        description = base if seen[base] == 1 else f"{base} #{seen[base]}"
        found.append(Mutant(index=len(found) + 1, raw=position, scope=scope_name, description=description))
    return found


def _statement_of(scope: ast.AST, change: Any, parents: dict[ast.AST, ast.AST]) -> ast.AST:
    """The statement (or constant value) the change sits in, to describe the mutant briefly."""
    node = change.__defaults__[0]
    while node in parents and not isinstance(node, ast.stmt) and parents[node] is not scope:
        node = parents[node]
    return node


def _statement_text(node: ast.AST) -> str:
    """A compound statement is described by its header only."""
    if isinstance(node, ast.If | ast.For | ast.While | ast.With):
        header = copy.copy(node)
        header.body = [ast.Pass()]  # type: ignore[attr-defined]
        if hasattr(header, "orelse"):
            header.orelse = []  # type: ignore[attr-defined]
        return _text(header).removesuffix(" pass").rstrip()
    return _text(node)


class Applied:
    """The live objects a mutant changed, to put back."""

    def __init__(self) -> None:
        self.codes: list[tuple[FunctionType, Any]] = []
        self.bindings: list[tuple[ModuleType, str, Any]] = []
        self.caches: list[Any] = []

    def restore(self) -> None:
        for function, code in reversed(self.codes):
            function.__code__ = code
        for module, name, value in reversed(self.bindings):
            setattr(module, name, value)
        for cached in self.caches:
            cached.cache_clear()
        self.codes, self.bindings, self.caches = [], [], []


def _live_function(module: ModuleType, qualname: str, applied: Applied) -> FunctionType:
    owner: Any = module
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    attribute = owner.__dict__[name] if path else getattr(owner, name)
    if isinstance(attribute, property):
        attribute = attribute.fget
    elif isinstance(attribute, staticmethod | classmethod):
        attribute = attribute.__func__
    if hasattr(attribute, "cache_clear"):
        applied.caches.append(attribute)
    while hasattr(attribute, "__wrapped__"):
        attribute = attribute.__wrapped__
    return attribute


def apply(module_name: str, mutant: Mutant, functions: list[str] | None = None) -> Applied:
    """Put the mutant into the running process; returns what to restore."""
    path, source = _source_of(module_name)
    module = importlib.import_module(module_name)
    wanted = set(functions) if functions else None
    _tree, scope_name, scope, change, _parents = _candidate(source, wanted, mutant.raw)
    change()
    ast.fix_missing_locations(scope)
    applied = Applied()
    namespace = dict(module.__dict__)
    if scope_name.startswith("<module>:"):
        exec(compile(ast.Module(body=[scope], type_ignores=[]), path, "exec"), namespace)
        for name in scope_name.split(":", 1)[1].split(","):
            original = getattr(module, name)
            for other in list(sys.modules.values()):
                if other is not None and getattr(other, name, None) is original:
                    applied.bindings.append((other, name, original))
                    setattr(other, name, namespace[name])
    else:
        function_name = scope_name.rsplit(".", 1)[-1]
        scope.decorator_list = []  # type: ignore[attr-defined]
        exec(compile(ast.Module(body=[scope], type_ignores=[]), path, "exec"), namespace)
        live = _live_function(module, scope_name, applied)
        applied.codes.append((live, live.__code__))
        live.__code__ = namespace[function_name].__code__
    for cached in applied.caches:
        cached.cache_clear()
    return applied
