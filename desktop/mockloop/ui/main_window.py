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
    QMessageBox,
    QStackedWidget,
    QStyle,
    QWidget,
)

from mockloop.engine.models import registry
from mockloop.engine.audio.devices import AudioReport, audio_report
from mockloop.engine.bank import BankSet
from mockloop.engine.core.settings import Settings
from mockloop.engine.models.warm_engines import models_key
from mockloop.engine.store import SessionMode
from mockloop.ui.common.gui_gc import collect_on_the_gui_thread
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.first_paint import after_first_paint, first_size
from mockloop.ui.bank.view import BankView
from mockloop.ui.feedback.view import FeedbackView
from mockloop.ui.home.view import HomeView
from mockloop.ui.interview.view import InterviewView
from mockloop.ui.interview.session import InterviewSession
from mockloop.ui.interview.worker import AudioEdge, SessionRequest
from mockloop.ui.common.model_status import ModelStatusProbe, Resolver
from mockloop.ui.common.model_warmer import ModelWarmer, interviewer_rate
from mockloop.ui.radar.view import RadarView
from mockloop.ui.review.view import ReviewView
from mockloop.ui.settings.view import SettingsView

STATUS_TIMEOUT_MS = 8000


class MainWindow(QMainWindow):
    """Hosts the views; add one with `add_view` and it gets a nav entry and a Ctrl+<n> shortcut."""

    def __init__(self, banks: BankSet, settings: Settings, resolve: Resolver = registry.resolve, *,
                 audio: AudioEdge | None = None, warm_models: bool = False) -> None:
        super().__init__()
        collect_on_the_gui_thread()
        self.setWindowTitle("mockloop")
        self.banks = banks
        self.settings = settings
        self.audio = audio  # None: the real microphone and speaker (tests pass file-backed ones)
        self._view_actions: list[QAction] = []
        self.interview: InterviewSession | None = None
        self.interview_view: InterviewView | None = None  # made on the first interview
        self.feedback_view: FeedbackView | None = None

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
        self.radar_view = RadarView(self)
        self.add_view(self.radar_view, self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogListView))
        self.radar_view.practice_requested.connect(self._on_practice)
        out = (audio.playback or audio.out) if audio is not None else None
        self.review_view = ReviewView(self, audio_out_factory=out, output_device=settings.output_device, banks=banks)
        self.add_view(self.review_view, self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.review_view.practice_requested.connect(self._on_practice)
        self.review_view.status_message.connect(self._show_status)
        self.review_view.sessions_changed.connect(self._on_history_changed)
        self.settings_view = SettingsView(settings, banks, self, resolve=resolve)
        self.add_view(self.settings_view, self.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon))
        self.settings_view.settings_changed.connect(self._on_settings_changed)
        self.settings_view.tests_stopped.connect(self._on_worker_stopped)
        self._resolve = resolve
        self._retired_probes: list[ModelStatusProbe] = []
        self._build_actions()

        self.home.set_banks(banks)
        self.bank_view.set_banks(banks)
        self.radar_view.set_bank(self.home.bank)
        self.home.start_loop_requested.connect(self._on_start_loop)
        self.home.practice_requested.connect(self._on_practice)
        self.bank_view.practice_requested.connect(self._on_practice)

        self.models_label = QLabel("Checking models…", self)
        self.models_label.setAccessibleName("Model summary")
        self.statusBar().addPermanentWidget(self.models_label)
        self._closing = False
        self.model_probe = self._start_probe(settings)

        # Preloading the models makes "Start" immediate; the app does it, tests choose.
        self.warmer: ModelWarmer | None = None
        self.warm_label = QLabel(self)
        self.warm_label.setAccessibleName("Model loading")
        self.statusBar().addWidget(self.warm_label)
        self._warm_models = warm_models
        self._rewarm = False  # the models changed in Settings while an interview held the old ones
        self._scan_devices = audio is None  # the real microphone and speaker: say at once if there are none
        if warm_models:
            self._start_warmer(settings, start=False)  # started once the window is on screen
        after_first_paint(self, self._after_first_paint)

        self.nav.setCurrentRow(0)
        self._initial_size()

    def _start_probe(self, settings: Settings) -> ModelStatusProbe:
        probe = ModelStatusProbe(settings, self._resolve, self)
        probe.model_ready.connect(self.home.show_model_ready)
        probe.model_failed.connect(self.home.show_model_failed)
        probe.model_ready.connect(self._update_model_summary)
        probe.model_failed.connect(self._update_model_summary)
        probe.stopped.connect(self._on_worker_stopped)
        probe.start()
        return probe

    @Slot()
    def _after_first_paint(self) -> None:
        """Preload the models and scan the devices once the window is on screen (their imports are heavy)."""
        if self.warmer is not None and not self._closing:
            self.warmer.start()  # no-op if it has started
        if self._scan_devices and not self._closing:
            run_in_background(audio_report, self._on_devices_listed)

    def _start_warmer(self, settings: Settings, start: bool = True) -> None:
        self.warmer = ModelWarmer(settings, self, speaking_rate=interviewer_rate(self.home.bank, settings))
        self.warmer.message.connect(self.warm_label.setText)
        if start:
            self.warmer.start()

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

    def view_shortcut(self, view: QWidget) -> str:
        """The keys that show `view` ("Ctrl+5"); "" when it has none."""
        return self._view_actions[self.stack.indexOf(view)].shortcut().toString()

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
        self.start_action = QAction("&Start mock interview", self)
        self.start_action.setShortcut(QKeySequence("Ctrl+N"))
        self.start_action.triggered.connect(self._on_start_loop)
        self.practice_action = QAction("&Practice now", self)
        self.practice_action.setShortcut(QKeySequence("Ctrl+P"))
        self.practice_action.triggered.connect(self.home.practice_now)  # today's planned question
        for action in (self.start_action, self.practice_action):
            self.addAction(action)
            self._file_menu.addAction(action)
        self._file_menu.addSeparator()
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
        self.resize(first_size(self, QSize(72, 46)))

    # Requests from the views ----------------------------------------------

    @Slot()
    def _on_find(self) -> None:
        self.show_view(self.bank_view)
        self.bank_view.focus_search()

    @Slot()
    def _on_start_loop(self) -> None:
        if self.home.bank is not None:
            self.start_interview(SessionRequest(SessionMode.LOOP, self.home.bank), "Starting the mock interview: warming up the speech engine…")

    @Slot(str)
    def _on_practice(self, question_id: str) -> None:
        # A plain search (not BankSet.find): the GUI thread stays out of the engine.
        bank = next((b for b in self.banks.banks if any(q.id == question_id for q in b.questions)), None)
        if bank is not None:
            self.start_interview(SessionRequest(SessionMode.PRACTICE, bank, question_id), f"Practice “{question_id}”: warming up the speech engine…")

    def start_interview(self, request: SessionRequest, message: str) -> InterviewSession | None:
        """Open the interview view on a new session; None (and a hint) while another one runs."""
        self._ensure_interview_views()
        if self.interview is not None and self.interview.is_running():
            self.show_view(self.interview_view)
            self.statusBar().showMessage("An interview is already running: finish it or choose “End interview” first.", STATUS_TIMEOUT_MS)
            return None
        if self.interview is not None:
            self.interview.deleteLater()  # the previous session's thread has ended
        warm = self.warmer.models if self.warmer is not None else None
        self.interview = InterviewSession(request, self.settings, self.audio, self, warm=warm)
        self.interview.stopped.connect(self._on_interview_stopped)
        self.settings_view.set_interview_active(True)
        self.interview_view.attach(self.interview)
        self.show_view(self.interview_view)
        self.interview_view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)
        self.interview.start()
        return self.interview

    def _ensure_interview_views(self) -> None:
        # Made on first use: the window opens faster, and Home stays the whole first impression.
        if self.interview_view is not None:
            return
        self.interview_view = InterviewView(self.settings.end_of_turn, self)
        self.feedback_view = FeedbackView(self)
        self.add_view(self.interview_view, self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume))
        self.add_view(self.feedback_view, self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView))
        self.interview_view.feedback_ready.connect(self._on_feedback_ready)
        self.interview_view.feedback_requested.connect(self._on_feedback_requested)
        self.interview_view.session_finished.connect(self._on_session_finished)
        self.feedback_view.practice_requested.connect(self._on_practice)

    @Slot(object, bool)
    def _on_feedback_ready(self, answer: object, reanswering: bool) -> None:
        self.feedback_view.add_answer(answer)
        # One question practised: its feedback is the point, so show it while the interviewer sums up.
        if self.interview is not None and self.interview.request.mode is SessionMode.PRACTICE and not reanswering:
            self.show_view(self.feedback_view)

    @Slot()
    def _on_feedback_requested(self) -> None:
        self.show_view(self.feedback_view)

    @Slot(object)
    def _on_session_finished(self, summary: object) -> None:
        if self.feedback_view.answers and self.current_view() is self.interview_view:
            self.show_view(self.feedback_view)
        self._on_history_changed()

    @Slot()
    def _on_history_changed(self) -> None:
        """A session ended or was deleted: everything drawn from the history is reloaded."""
        self.review_view.refresh()
        self.radar_view.refresh()
        self.home.refresh_plan()

    @Slot(str)
    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)

    @Slot(object)
    def _on_devices_listed(self, report: AudioReport) -> None:
        fix = f"Settings ({self.view_shortcut(self.settings_view)}) can test your devices and rescan after you plug one in."
        self.home.show_device_problem(report.reason, fix)

    @Slot(object)
    def _on_settings_changed(self, settings: Settings) -> None:
        """Saved in Settings: new interviews use it; changed models are checked and loaded again."""
        old = self.settings
        self.settings = settings
        if self.interview_view is not None:
            self.interview_view.set_default_end_of_turn(settings.end_of_turn)
        if settings.output_device != old.output_device:
            self.review_view.set_output_device(settings.output_device)
        if models_key(settings) != models_key(old):
            self.home.show_models_checking(registry.ROLES)
            self._update_model_summary()
            self.model_probe.stop()
            self._retired_probes.append(self.model_probe)
            self.model_probe = self._start_probe(settings)
            if self._warm_models:
                self._rewarm = True
                self._replace_warm_models()

    def _replace_warm_models(self) -> None:
        if not self._rewarm or (self.warmer is not None and self.warmer.models.lent):
            return  # the running interview gives them back first
        self._rewarm = False
        if self.warmer is not None:
            self.warmer.release()
        self._start_warmer(self.settings)

    @Slot()
    def _on_interview_stopped(self) -> None:
        self.settings_view.set_interview_active(False)
        self._replace_warm_models()
        self._on_worker_stopped()

    @Slot()
    def _update_model_summary(self) -> None:
        ready, pending = self.home.model_counts()
        if pending:
            self.models_label.setText("Checking models…")
        elif ready == len(registry.ROLES):
            self.models_label.setText("Models ready")
        else:
            problems = len(registry.ROLES) - ready
            self.models_label.setText(f"{problems} model problem{'s' if problems > 1 else ''}: see Home")

    # Shutdown ---------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """Close at once when no worker runs; otherwise ask them to stop and close when they have.

        An interview asks nothing: the answer in progress is kept and the session finalized.
        """
        if not self._closing and self.settings_view.has_unsaved_changes() and not self._keep_unsaved_settings():
            event.ignore()
            return
        self.review_view.shutdown()  # stops any playback
        tests_idle = self.settings_view.stop_tests()
        probe_idle = all([p.stop() for p in (*self._retired_probes, self.model_probe)])
        draft = self.interview_view.draft_text() if self.interview_view is not None else ""
        interview_idle = self.interview is None or self.interview.stop(draft)
        if probe_idle and interview_idle and tests_idle:
            if self.warmer is not None:
                self.warmer.release()
            event.accept()
            return
        # Not hidden meanwhile: closing a hidden window would not quit the application.
        self._closing = True
        self.centralWidget().setEnabled(False)
        self.statusBar().showMessage("Closing…" if interview_idle else "Saving your interview and closing…")
        event.ignore()

    def _keep_unsaved_settings(self) -> bool:
        """Unsaved changes in Settings: save, discard or stay. False means "do not close"."""
        self.show_view(self.settings_view)
        answer = QMessageBox.question(
            self, "Unsaved settings", "Your changes in Settings are not saved yet. Save them before closing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.settings_view.save()  # a value it refuses stays on screen with its reason
        return answer == QMessageBox.StandardButton.Discard

    @Slot()
    def _on_worker_stopped(self) -> None:
        if self._closing:
            self.close()
