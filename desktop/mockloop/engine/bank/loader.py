"""Load question banks from YAML with errors that cite file, line and field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml
from pydantic import ValidationError

from mockloop.engine.core import paths
from mockloop.engine.bank.schema import Bank, Question
from mockloop.engine.core.errors import BankError, UnknownQuestionError


def _node_at(root: yaml.Node | None, loc: Iterable) -> yaml.Node | None:
    """The deepest YAML node along a pydantic error location."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
            if child is None:
                # A missing key: point at its parent mapping.
                return node
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


# libyaml's parser when PyYAML was built with it: the bundled bank parses in about a tenth of the time,
# which the window waits for at launch.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_bank_file(path: Path) -> Bank:
    """Parse and validate one bank; raises a list of BankErrors via BankFileInvalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BankFileInvalid([BankError(path, None, "(file)", f"cannot be read: {exc}")]) from None
    try:
        data = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise BankFileInvalid([BankError(path, line, "(yaml)", f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise BankFileInvalid([BankError(path, 1, "(top level)", "a bank must be a mapping with company, loop, radar_axes, personas and questions")])
    try:
        return Bank.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text, Loader=YAML_LOADER)  # the node tree, with lines, only to place the errors
        errors = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            node = _node_at(root, loc)
            line = node.start_mark.line + 1 if node is not None else None
            errors.append(BankError(path, line, _field_name(loc), err["msg"]))
        raise BankFileInvalid(errors) from None


class BankFileInvalid(Exception):
    """Carries every problem found in one bank file."""

    def __init__(self, errors: list[BankError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.user_message() for e in errors))


@dataclass
class BankSet:
    """Every bank that loaded, plus the errors of those that did not."""

    banks: list[Bank] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)

    def questions(self) -> list[tuple[Bank, Question]]:
        return [(bank, q) for bank in self.banks for q in bank.questions]

    def find(self, question_id: str) -> tuple[Bank, Question]:
        for bank, q in self.questions():
            if q.id == question_id:
                return bank, q
        ids = [q.id for _, q in self.questions()]
        close = difflib.get_close_matches(question_id, ids, n=5, cutoff=0.5)
        close += [i for i in ids if question_id.lower() in i and i not in close][: 5 - len(close)]
        raise UnknownQuestionError(question_id, close)

    def bank(self, bank_id: str) -> Bank:
        for bank in self.banks:
            if bank.company.id == bank_id:
                return bank
        raise KeyError(bank_id)

    def filter(
        self,
        role: str | None = None,
        kind: str | None = None,
        difficulty: str | None = None,
        tag: str | None = None,
        bank: str | None = None,
        axis: str | None = None,
    ) -> list[tuple[Bank, Question]]:
        """Case-insensitive filters; role and kind also match by prefix or initials ("ds", "mle")."""
        out = []
        for b, q in self.questions():
            if bank and b.company.id != bank.lower():
                continue
            if role and not _matches_label(role, q.role.value):
                continue
            if kind and not _matches_label(kind, q.kind.value):
                continue
            if difficulty and q.difficulty.value != difficulty.lower():
                continue
            if tag and tag.lower().lstrip("#") not in {t.lower() for t in q.tags}:
                continue
            if axis and axis.lower() not in b.axes_for(q):
                continue
            out.append((b, q))
        return out


def _matches_label(wanted: str, label: str) -> bool:
    wanted = wanted.strip().lower()
    words = label.lower().split()
    initials = "".join(w[0] for w in words)
    return wanted in (label.lower(), initials) or label.lower().startswith(wanted) or (label == "Any")


def bank_files(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Bank files in load order: the bundled ones, then the user's."""
    dirs = [paths.builtin_questions_dir(), paths.user_questions_dir(), *extra_dirs]
    files: list[Path] = []
    for d in dirs:
        if d.is_dir():
            files += sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return files


def load_banks(files: Iterable[Path] | None = None) -> BankSet:
    """Load every bank; a broken file is reported and the others still load."""
    result = BankSet()
    for path in bank_files() if files is None else files:
        try:
            bank = load_bank_file(path)
        except BankFileInvalid as exc:
            result.errors += exc.errors
            continue
        if bank.company.id in result.sources:
            result.errors.append(
                BankError(path, 1, "company.id", f"'{bank.company.id}' is already loaded from {result.sources[bank.company.id]}; this copy is ignored")
            )
            continue
        duplicate = {q.id for q in bank.questions} & {q.id for _, q in result.questions()}
        if duplicate:
            result.errors.append(BankError(path, 1, "questions", f"question ids already used by another bank: {sorted(duplicate)}; this bank is ignored"))
            continue
        result.banks.append(bank)
        result.sources[bank.company.id] = path
    return result
