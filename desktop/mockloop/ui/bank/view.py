"""Question bank: a filterable table of every loaded question beside its details."""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mockloop.engine.bank import BankSet
from mockloop.engine.bank.schema import Difficulty, Kind, Role
from mockloop.ui.common import theme
from mockloop.ui.common.cards import Banner, Severity
from mockloop.ui.bank.question_detail import QuestionDetail
from mockloop.ui.bank.question_table import BANK_ROLE, QUESTION_ID_ROLE, QUESTION_ROLE, Column, QuestionFilterProxy, QuestionTableModel


class BankView(QWidget):
    """Browse and filter the banks; pick a question to practise."""

    title = "Question bank"
    practice_requested = Signal(str)  # question id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Question bank")
        self._banks = BankSet()
        em = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em, em, em, em)
        layout.setSpacing(em * 2 // 3)

        self.errors_banner = Banner(Severity.WARNING, self)
        self.errors_banner.setAccessibleName("Question bank problems")
        layout.addWidget(self.errors_banner)
        layout.addLayout(self._build_filters())

        self.source = QuestionTableModel(self)
        self.proxy = QuestionFilterProxy(self)
        self.proxy.setSourceModel(self.source)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Questions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column in Column:
            mode = QHeaderView.ResizeMode.Stretch if column == Column.TEXT else QHeaderView.ResizeMode.ResizeToContents
            header.setSectionResizeMode(column, mode)
        header.setSectionResizeMode(Column.TAGS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(Column.TAGS, em * 10)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # bank order until the user sorts
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.activated.connect(self._on_activated)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        self.detail = QuestionDetail(self)
        self.detail.practice_requested.connect(self.practice_requested)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([em * 50, em * 28])  # proportions; scaled to the real width
        layout.addWidget(self.splitter, 1)
        self.set_banks(BankSet())

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(self.fontMetrics().height() // 2)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search questions (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search questions")
        self.search.textChanged.connect(self._on_search)
        row.addWidget(self.search, 2)
        self.role_combo = self._combo("Role", "All roles", [(r.value, r.value) for r in Role if r is not Role.ANY], "role")
        self.kind_combo = self._combo("Kind", "All kinds", [(k.value, k.value) for k in Kind], "kind")
        self.difficulty_combo = self._combo(
            "Difficulty", "Any difficulty", [(d.value.capitalize(), d.value) for d in Difficulty], "difficulty"
        )
        self.tag_combo = self._combo("Tag", "All tags", [], "tag")
        for combo in (self.role_combo, self.kind_combo, self.difficulty_combo, self.tag_combo):
            row.addWidget(combo, 1)
        self.count_label = theme.muted("", self)
        self.count_label.setWordWrap(False)
        self.count_label.setAccessibleName("Questions shown")
        row.addWidget(self.count_label)
        return row

    def _combo(self, name: str, everything: str, items: list[tuple[str, str]], criterion: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(f"{name} filter")
        combo.setToolTip(f"Show only questions with this {name.lower()}")
        combo.setProperty("criterion", criterion)
        combo.addItem(everything, None)
        for text, value in items:
            combo.addItem(text, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    def set_banks(self, banks: BankSet) -> None:
        self._banks = banks
        self.source.set_banks(banks)
        self.proxy.set_banks(banks)
        tags = sorted({t for _, q in banks.questions() for t in q.tags}, key=str.lower)
        self.tag_combo.blockSignals(True)
        while self.tag_combo.count() > 1:
            self.tag_combo.removeItem(1)
        for tag in tags:
            self.tag_combo.addItem(f"#{tag}", tag)
        self.tag_combo.blockSignals(False)
        if banks.errors:
            items = "".join(f"<li>{html.escape(e.user_message())}</li>" for e in banks.errors)
            self.errors_banner.show_message(
                f"<b>Some question banks could not be loaded.</b> Fix these lines and restart:<ul>{items}</ul>",
                " ".join(e.user_message() for e in banks.errors),
            )
        else:
            self.errors_banner.clear()
        self._update_count()
        self.select_row(0)

    def select_row(self, row: int) -> None:
        """Make a proxy row current and selected (no-op when out of range)."""
        if 0 <= row < self.proxy.rowCount():
            index = self.proxy.index(row, Column.TEXT)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().setCurrentIndex(index, flags)
            self.table.scrollTo(index)

    def select_question(self, question_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(QUESTION_ID_ROLE) == question_id:
                self.select_row(row)
                return True
        return False

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def visible_question_ids(self) -> list[str]:
        return [self.proxy.index(row, 0).data(QUESTION_ID_ROLE) for row in range(self.proxy.rowCount())]

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._after_filter()

    @Slot(int)
    def _on_filter_changed(self, _index: int) -> None:
        combo = self.sender()
        assert isinstance(combo, QComboBox)
        self.proxy.set_criterion(combo.property("criterion"), combo.currentData())
        self._after_filter()

    def _after_filter(self) -> None:
        self._update_count()
        if not self.table.selectionModel().hasSelection():
            if self.proxy.rowCount():
                self.select_row(0)
            else:
                self.detail.show_question(None, None)

    @Slot()
    def _update_count(self) -> None:
        total, shown = self.source.rowCount(), self.proxy.rowCount()
        noun = "question" if total == 1 else "questions"
        self.count_label.setText(f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}")

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.detail.show_question(current.data(BANK_ROLE), current.data(QUESTION_ROLE))
        else:
            self.detail.show_question(None, None)

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.practice_requested.emit(index.data(QUESTION_ID_ROLE))
