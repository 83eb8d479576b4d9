"""The question list as a Qt table model, and the proxy that filters and sorts it."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from mockloop.engine.bank import Bank, BankSet, Question

ModelIndex = QModelIndex | QPersistentModelIndex

# Custom item data roles.
QUESTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
QUESTION_ROLE = Qt.ItemDataRole.UserRole + 2
BANK_ROLE = Qt.ItemDataRole.UserRole + 3
SORT_ROLE = Qt.ItemDataRole.UserRole + 4


class Column(IntEnum):
    DIFFICULTY = 0
    ROLE = 1
    KIND = 2
    TEXT = 3
    TAGS = 4


HEADERS = {
    Column.DIFFICULTY: "Difficulty",
    Column.ROLE: "Role",
    Column.KIND: "Kind",
    Column.TEXT: "Question",
    Column.TAGS: "Tags",
}

SHORT_ROLES = {"Machine Learning Engineer": "ML Engineer"}


def tags_text(question: Question) -> str:
    return "  ".join(f"#{t}" for t in question.tags)


class QuestionTableModel(QAbstractTableModel):
    """Rows are (bank, question) pairs from a BankSet, in bank order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Bank, Question]] = []

    def set_banks(self, banks: BankSet) -> None:
        self.beginResetModel()
        self._rows = banks.questions()
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def question_at(self, row: int) -> tuple[Bank, Question]:
        return self._rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        bank, q = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(q, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return q.text if column == Column.TEXT else q.role.value if column == Column.ROLE else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(q, column) if column != Column.ROLE else q.role.value
        if role == SORT_ROLE:
            return q.difficulty.level if column == Column.DIFFICULTY else self._display(q, column).lower()
        if role == QUESTION_ID_ROLE:
            return q.id
        if role == QUESTION_ROLE:
            return q
        if role == BANK_ROLE:
            return bank
        return None

    @staticmethod
    def _display(q: Question, column: Column) -> str:
        if column == Column.DIFFICULTY:
            return q.difficulty.value.capitalize()
        if column == Column.ROLE:
            return SHORT_ROLES.get(q.role.value, q.role.value)
        if column == Column.KIND:
            return q.kind.value
        if column == Column.TEXT:
            return q.text
        return tags_text(q)


class QuestionFilterProxy(QSortFilterProxyModel):
    """Role/kind/difficulty/tag filters use the engine's BankSet.filter (same rules as the CLI);
    the search box matches every word against text, tags and id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._banks = BankSet()
        self._criteria: dict[str, str | None] = {}
        self._allowed: set[str] | None = None
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_banks(self, banks: BankSet) -> None:
        self._banks = banks
        self._recompute()

    def set_criterion(self, name: str, value: str | None) -> None:
        """`name` is a BankSet.filter keyword (role, kind, difficulty, tag); None clears it."""
        self._criteria[name] = value or None
        self._recompute()

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _recompute(self) -> None:
        self.beginFilterChange()
        active = {k: v for k, v in self._criteria.items() if v}
        self._allowed = {q.id for _, q in self._banks.filter(**active)} if active else None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:  # noqa: N802 (Qt API)
        q: Question = self.sourceModel().index(source_row, 0, source_parent).data(QUESTION_ROLE)
        if self._allowed is not None and q.id not in self._allowed:
            return False
        if self._words:
            haystack = " ".join([q.text, q.id, *q.tags]).lower()
            return all(word.lstrip("#") in haystack for word in self._words)
        return True
