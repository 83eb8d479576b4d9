"""A rough big-O of the candidate's code, read from how deeply its loops nest, against the question's target.

This is what an interviewer does at a glance: two nested loops over the input are O(n²). It is
a heuristic, so it only prompts a follow-up question and never changes the tests' verdict.
Loops inside a function the code calls are counted where they are called. Two patterns that
nest without multiplying are read as the linear walks they usually are: a `while` inside a
`while` (two pointers moving forward), and a loop over a bounded slice such as
`pairs[start:end]` (one group at a time); an open slice like `xs[i + 1:]` still multiplies.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_SORTS = {"sorted", "sort", "heapify", "nlargest", "nsmallest", "most_common"}


@dataclass(frozen=True)
class Estimate:
    degree: int  # nesting depth of loops: 0 constant, 1 linear, 2 quadratic...
    log: bool  # a sort (or heap) at the deepest level adds a log factor
    line: int | None  # where the deepest loop starts, for the feedback

    @property
    def order(self) -> str:
        if self.degree == 0:
            return "O(n log n)" if self.log else "O(1)"
        power = "n" if self.degree == 1 else f"n{_superscript(self.degree)}"
        return f"O({power} log n)" if self.log else f"O({power})"

    def to_dict(self) -> dict:
        return {"order": self.order, "degree": self.degree, "log": self.log, "line": self.line}


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


class _Depth(ast.NodeVisitor):
    def __init__(self, functions: dict[str, ast.AST]) -> None:
        self.functions = functions
        self.depth = 0
        self.best = (0, False, None)
        self._calls: list[str] = []
        self._whiles: list[bool] = []  # per enclosing loop: is it a while loop

    def _note(self, log: bool, line: int | None) -> None:
        if (self.depth, log) > self.best[:2]:
            self.best = (self.depth, log, line)

    def _loop(self, node: ast.AST, body: list[ast.AST], step: int = 1) -> None:
        self.depth += step
        self._note(False, getattr(node, "lineno", None))
        for child in body:
            self.visit(child)
        self.depth -= step

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._whiles.append(False)
        self._loop(node, node.body + node.orelse, 0 if _bounded_slice(node.iter) and self.depth else 1)
        self._whiles.pop()

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        pointer_walk = bool(self._whiles) and self._whiles[-1]
        self._whiles.append(True)
        self._loop(node, [node.test] + node.body + node.orelse, 0 if pointer_walk else 1)
        self._whiles.pop()

    def _comprehension(self, node: ast.AST, parts: list[ast.AST]) -> None:
        generators = node.generators  # type: ignore[attr-defined]
        self.visit(generators[0].iter)
        steps = sum(0 if _bounded_slice(g.iter) and (self.depth or i) else 1 for i, g in enumerate(generators))
        self.depth += steps
        self._note(False, getattr(node, "lineno", None))
        for child in parts + [i for g in generators for i in g.ifs] + [g.iter for g in generators[1:]]:
            self.visit(child)
        self.depth -= steps

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in _SORTS:
            self.depth += 1
            self._note(True, getattr(node, "lineno", None))
            self.depth -= 1
        callee = self.functions.get(name)
        if callee is not None and name not in self._calls:  # recursion is counted once
            self._calls.append(name)
            for child in callee.body:  # type: ignore[attr-defined]
                self.visit(child)
            self._calls.pop()
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        pass  # a nested helper counts where it is called

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef


def _bounded_slice(node: ast.AST) -> bool:
    """`xs[a:b]` with an upper bound that is a variable: one group of the input, not the rest of it."""
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)
            and isinstance(node.slice.upper, ast.Name))


def estimate(code: str, function: str) -> Estimate | None:
    """The estimate for `function` in `code`; None when the code does not parse or lacks the function."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    target = functions.get(function)
    if target is None:
        return None
    visitor = _Depth(functions)
    visitor._calls.append(function)
    for child in target.body:
        visitor.visit(child)
    degree, log, line = visitor.best
    return Estimate(degree, log, line)


def target_degree(time_target: str) -> int:
    """The polynomial degree of a target such as "O(n log n)" (1), "O(n·d)" (2) or "O(n^2)" (2).

    Each additive term counts its size factors; a log is a factor of its own kind, not a degree."""
    inside = time_target.strip()
    inside = inside[inside.find("(") + 1: inside.rfind(")")] if "(" in inside else inside
    best = 0
    for term in re.split(r"\+", inside.lower()):
        term = re.sub(r"log\s*\(?\s*[a-z]+\s*\)?", " ", term)
        degree = 0
        for _letter, power, mark in re.findall(r"([a-z])\s*(?:\^\s*(\d+)|([²³]))?", term):
            degree += int(power) if power else {"²": 2, "³": 3}.get(mark, 1)
        best = max(best, degree)
    return best


def worse_than_target(found: Estimate | None, time_target: str) -> bool:
    """True when the loops nest deeper than the target allows (a follow-up is worth asking)."""
    return found is not None and found.degree > max(1, target_degree(time_target))
