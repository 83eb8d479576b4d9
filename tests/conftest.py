"""Shared fixtures: a private data folder, the real bundled models, and a virtual sound card."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder, so nothing touches the user's real one."""
    data = tmp_path / "mockloop-data"
    monkeypatch.setenv("MOCKLOOP_DATA_DIR", str(data))
    monkeypatch.setenv("MOCKLOOP_CONFIG_DIR", str(tmp_path / "mockloop-config"))
    for name in ("MOCKLOOP_MODELS_DIR", "MOCKLOOP_QUESTIONS_DIR", "MOCKLOOP_STT_MODEL", "MOCKLOOP_TTS_VOICE", "MOCKLOOP_LLM_MODEL",
                 "MOCKLOOP_TEXT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture(autouse=True)
def no_qthread_left_running():
    """Fail a test that leaves a QThread running (only when Qt was used at all)."""
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QThread

    app = QCoreApplication.instance()
    if app is None:
        return
    running = [t for t in app.findChildren(QThread) if t.isRunning()]
    assert not running, f"QThreads still running after the test: {running}"


@pytest.fixture(scope="session")
def bundled():
    """The resolved default models (checked against the manifest)."""
    from mockloop.engine.models import registry
    from mockloop.engine.core.settings import Settings

    return {role: registry.resolve(role, Settings()) for role in registry.ROLES}


@pytest.fixture(scope="session")
def llm(bundled):
    from mockloop.engine.models.llm import LocalLLM

    model = LocalLLM(bundled["llm"], n_ctx=1024)
    yield model
    model.close()


@pytest.fixture(scope="session")
def voice(bundled):
    from mockloop.engine.speech.tts import Voice

    return Voice(bundled["tts"])


@pytest.fixture(scope="session")
def transcriber(bundled):
    from mockloop.engine.speech.whisper_decoder import Transcriber

    return Transcriber(bundled["stt"])


@pytest.fixture(scope="session")
def pulse_audio(tmp_path_factory):
    """A real PulseAudio daemon with a virtual speaker and a virtual microphone.

    `paplay --device=virt_mic_src file.wav` speaks into the microphone `virt_mic`.
    """
    if not shutil.which("pulseaudio"):
        pytest.fail("PulseAudio is not installed; run the README's test command, which installs it.")
    runtime = tmp_path_factory.mktemp("pulse")
    env = dict(os.environ, PULSE_RUNTIME_PATH=str(runtime), HOME=str(runtime))
    subprocess.run(
        [
            "pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n", "--log-target=stderr",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=virt_speaker",
            "--load=module-null-sink sink_name=virt_mic_src",
            "--load=module-remap-source source_name=virt_mic master=virt_mic_src.monitor",
        ],
        env=env, check=True, capture_output=True, timeout=30,
    )
    pid_file = runtime / "pid"
    for _ in range(100):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.05)  # waiting for a daemon to come up, not for app behaviour
    previous = os.environ.get("PULSE_RUNTIME_PATH")
    os.environ["PULSE_RUNTIME_PATH"] = str(runtime)
    yield env
    if previous is None:
        os.environ.pop("PULSE_RUNTIME_PATH", None)
    else:
        os.environ["PULSE_RUNTIME_PATH"] = previous
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        except ProcessLookupError:
            pass


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed `mockloop` command the way a user would."""
    exe = Path(sys.executable).with_name("mockloop")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env or dict(os.environ), cwd=cwd or REPO, timeout=timeout)


def store_answer(store, bank, question_id: str, overall: float) -> str:
    """One finished practice session with one scored answer, stored the way the interview runner stores it."""
    question = next(q for q in bank.questions if q.id == question_id)
    session_id = store.create_session("practice", bank.company.id, "standard")
    turn = store.begin_turn(store.add_round(session_id, question.round), question_id, interviewer_text=question.text)
    store.finish_turn(turn.turn_id, transcript="an answer", scores={"overall": overall},
                      axis_scores={a: overall for a in bank.axes_for(question)})
    store.finish_session(session_id)
    return session_id


@pytest.fixture
def sound_card(pulse_audio, monkeypatch):
    """The PulseAudio virtual microphone and speaker as the default devices (`paplay --device=virt_mic_src` speaks)."""
    from mockloop.engine.audio.capture import rescan_devices

    rescan_devices()
    monkeypatch.setenv("PULSE_SOURCE", "virt_mic")
    monkeypatch.setenv("PULSE_SINK", "virt_speaker")
    return pulse_audio


def answer_file_dialog(choose: Path | None) -> list[tuple[str, str, str]]:
    """Answer the next file dialog the app opens, as a user would: pick `choose` and accept, or cancel (None).

    Returns a list that gets (title, the file name the dialog suggested, its name filter) of the
    dialog once answered. Qt's own (non-native) dialog runs offscreen in its own event loop; a
    timer answers it from there.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    shown: list[tuple[str, str, str]] = []
    tries = iter(range(3000))  # a minute of looking; then it stops, so it cannot answer a later test's dialog

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            if next(tries, None) is not None:
                QTimer.singleShot(20, answer)  # not open yet
            return
        suggested = dialog.selectedFiles()
        shown.append((dialog.windowTitle(), Path(suggested[0]).name if suggested else "", dialog.selectedNameFilter()))
        if choose is None:
            dialog.reject()
            return
        dialog.setDirectory(str(choose.parent))
        dialog.selectFile(str(choose))
        dialog.accept()

    QTimer.singleShot(0, answer)
    return shown


@contextlib.contextmanager
def tmpfs_disk(mount: Path, size: str):
    """A real filesystem of `size` (tmpfs) at `mount`: writes past it fail with ENOSPC like a full laptop disk."""
    mount.mkdir()
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(f"the disk-full tests mount a small tmpfs and need root: {out.stderr.strip()}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB disk (tmpfs)."""
    with tmpfs_disk(tmp_path / "small-disk", "256k") as mount:
        yield mount


def fill_disk(folder: Path) -> Path:
    """Fill a (small) filesystem to the last byte; returns the filler file to delete to free it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler
