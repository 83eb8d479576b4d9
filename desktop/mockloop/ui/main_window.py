"""The main window: a navigation list on the left, one view at a time on the right."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QWidget,
)

from mockloop.engine import registry
from mockloop.engine.bank import BankSet
from mockloop.engine.settings import Settings
from mockloop.ui import theme
from mockloop.ui.bank_view import BankView
from mockloop.ui.home_view import HomeView
from mockloop.ui.model_status import ModelStatusProbe, Resolver

NOT_READY_MESSAGE = "The interview view arrives with the speech engine in the next update."
STATUS_TIMEOUT_MS = 8000


class MainWindow(QMainWindow):
    """Hosts the views; add one with `add_view` and it gets a nav entry and a Ctrl+<n> shortcut."""

    def __init__(self, banks: BankSet, settings: Settings, resolve: Resolver = registry.resolve) -> None:
        super().__init__()
        self.setWindowTitle("mockloop")
        self.banks = banks
        self.settings = settings
        self._view_actions: list[QAction] = []

        self.nav = QListWidget(self)
        self.nav.setAccessibleName("Views")
        self.nav.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setIconSize(QSize(self._icon_size(), self._icon_size()))
        self.nav.setFont(theme.scaled_font(self.nav, 1.1))
        self.nav.setSpacing(max(2, self.fontMetrics().height() // 6))
        self.stack = QStackedWidget(self)
        self.stack.setAccessibleName("Current view")
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._file_menu = self.menuBar().addMenu("&File")
        self._view_menu = self.menuBar().addMenu("&View")
        self.home = HomeView(self)
        self.bank_view = BankView(self)
        self.add_view(self.home, self.style().standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon))
        self.add_view(self.bank_view, self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self._build_actions()

        self.home.set_banks(banks)
        self.bank_view.set_banks(banks)
        self.home.start_loop_requested.connect(self._on_start_loop)
        self.home.practice_requested.connect(self._on_practice)
        self.bank_view.practice_requested.connect(self._on_practice)

        self.models_label = QLabel("Checking models…", self)
        self.models_label.setAccessibleName("Model summary")
        self.statusBar().addPermanentWidget(self.models_label)
        self.model_probe = ModelStatusProbe(settings, resolve, self)
        self.model_probe.model_ready.connect(self.home.model_panel.show_ready)
        self.model_probe.model_failed.connect(self.home.model_panel.show_failed)
        self.model_probe.model_ready.connect(self._update_model_summary)
        self.model_probe.model_failed.connect(self._update_model_summary)
        self.model_probe.stopped.connect(self._on_probe_stopped)
        self._closing = False
        self.model_probe.start()

        self.nav.setCurrentRow(0)
        self._initial_size()

    # Views -----------------------------------------------------------------

    def add_view(self, view: QWidget, icon: QIcon) -> int:
        """Append a view (it must have a `title` attribute); returns its index."""
        index = self.stack.addWidget(view)
        item = QListWidgetItem(icon, view.title)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, view.title)
        item.setToolTip(f"{view.title} (Ctrl+{index + 1})" if index < 9 else view.title)
        self.nav.addItem(item)
        action = QAction(icon, view.title, self)
        action.setData(index)
        if index < 9:
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        action.triggered.connect(self._on_view_action)
        self.addAction(action)  # shortcut works whichever widget has focus
        self._view_menu.addAction(action)
        self._view_actions.append(action)
        self._fit_nav()
        return index

    def show_view(self, view: QWidget) -> None:
        self.nav.setCurrentRow(self.stack.indexOf(view))

    def current_view(self) -> QWidget:
        return self.stack.currentWidget()

    @Slot()
    def _on_view_action(self) -> None:
        action = self.sender()
        assert isinstance(action, QAction)
        self.nav.setCurrentRow(int(action.data()))

    def _build_actions(self) -> None:
        self.find_action = QAction("&Find question…", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self._on_find)
        self.addAction(self.find_action)
        self._view_menu.addSeparator()
        self._view_menu.addAction(self.find_action)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.addAction(self.quit_action)
        self._file_menu.addAction(self.quit_action)

    def _icon_size(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ListViewIconSize, None, self)

    def _fit_nav(self) -> None:
        widest = max(self.nav.fontMetrics().horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count()))
        em = self.fontMetrics().height()
        self.nav.setFixedWidth(widest + self._icon_size() + em * 3)

    def _initial_size(self) -> None:
        em = self.fontMetrics().height()
        wanted = QSize(em * 72, em * 46)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            wanted = wanted.boundedTo(screen.size() * 0.9)
        self.resize(wanted)

    # Requests from the views ----------------------------------------------

    @Slot()
    def _on_find(self) -> None:
        self.show_view(self.bank_view)
        self.bank_view.focus_search()

    @Slot()
    def _on_start_loop(self) -> None:
        self.statusBar().showMessage(NOT_READY_MESSAGE, STATUS_TIMEOUT_MS)

    @Slot(str)
    def _on_practice(self, question_id: str) -> None:
        self.statusBar().showMessage(f"Practice “{question_id}”: {NOT_READY_MESSAGE[0].lower()}{NOT_READY_MESSAGE[1:]}", STATUS_TIMEOUT_MS)

    @Slot()
    def _update_model_summary(self) -> None:
        panel = self.home.model_panel
        ready = panel.ready_count()
        pending = sum(1 for role in registry.ROLES if panel.state(role) == "checking")
        if pending:
            self.models_label.setText("Checking models…")
        elif ready == len(registry.ROLES):
            self.models_label.setText("Models ready")
        else:
            problems = len(registry.ROLES) - ready
            self.models_label.setText(f"{problems} model problem{'s' if problems > 1 else ''}: see Home")

    # Shutdown ---------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """Close at once when no worker runs; otherwise ask it to stop and close on `stopped`."""
        if self.model_probe.stop():
            event.accept()
            return
        # Not hidden meanwhile: closing a hidden window would not quit the application.
        self._closing = True
        self.centralWidget().setEnabled(False)
        self.statusBar().showMessage("Closing…")
        event.ignore()

    @Slot()
    def _on_probe_stopped(self) -> None:
        if self._closing:
            self.close()
