"""Where mockloop keeps user data, user models and user banks, with env overrides."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "mockloop"

ENV_DATA_DIR = "MOCKLOOP_DATA_DIR"
ENV_MODELS_DIR = "MOCKLOOP_MODELS_DIR"
ENV_QUESTIONS_DIR = "MOCKLOOP_QUESTIONS_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
# In a source checkout the package lives in <repo>/desktop/mockloop.
_REPO_DIR = _PACKAGE_DIR.parent.parent


def data_dir() -> Path:
    """The user's private data folder (sessions, recordings, user banks)."""
    override = os.environ.get(ENV_DATA_DIR)
    return Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME))


def user_models_dir() -> Path:
    override = os.environ.get(ENV_MODELS_DIR)
    return Path(override).expanduser() if override else data_dir() / "models"


def user_questions_dir() -> Path:
    override = os.environ.get(ENV_QUESTIONS_DIR)
    return Path(override).expanduser() if override else data_dir() / "questions"


def repo_models_dir() -> Path | None:
    """The checkout's models/ folder, when running from source."""
    candidate = _REPO_DIR / "models"
    return candidate if (candidate / "manifest.yaml").is_file() else None


def builtin_questions_dir() -> Path:
    """The bundled banks: inside the package in a wheel, questions/ in a checkout."""
    packaged = _PACKAGE_DIR / "banks"
    if packaged.is_dir():
        return packaged
    return _REPO_DIR / "questions"
