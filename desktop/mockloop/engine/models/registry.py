"""Find the STT, TTS, LLM and text models: setting/env, then models folders, then the bundled package."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
from pathlib import Path

import yaml

from mockloop.engine.core import paths
from mockloop.engine.core.errors import ModelError
from mockloop.engine.models.gguf_header import GGUFFormatError, read_gguf_header
from mockloop.engine.core.model_info import ROLE_NAMES, ModelInfo
from mockloop.engine.core.settings import Settings
from mockloop.engine.understanding.files import embedding_header, text_model_files

ROLES = ("stt", "tts", "llm", "text")
ENV_VARS = {"stt": "MOCKLOOP_STT_MODEL", "tts": "MOCKLOOP_TTS_VOICE", "llm": "MOCKLOOP_LLM_MODEL", "text": "MOCKLOOP_TEXT_MODEL"}
SETTING_KEYS = {"stt": "stt_model", "tts": "tts_voice", "llm": "llm_model", "text": "text_model"}

_FIX_REINSTALL = "Reinstall the app's packages (run the README's setup command again)."


def _manifest() -> dict:
    packaged = Path(__file__).resolve().parents[2] / "model_manifest.yaml"
    repo = paths.repo_models_dir()
    path = packaged if packaged.is_file() else (repo / "manifest.yaml" if repo else packaged)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _bundled_path(role: str, entry: dict) -> Path:
    """Locate a bundled model without importing its package where that pulls in heavy code."""
    locate = entry["locate"]
    if "/" in locate:
        package, _, rel = locate.partition("/")
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(role, None, "missing", f"package '{entry['package']}' is not installed", _FIX_REINSTALL)
        return Path(list(spec.submodule_search_locations)[0]) / rel
    module_name, _, func = locate.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ModelError(role, None, "missing", f"package '{entry['package']}' is not installed", _FIX_REINSTALL) from None
    return Path(getattr(module, func)())


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size


def _fix_for(source: str, role: str) -> str:
    if source == "environment":
        return f"Point {ENV_VARS[role]} at a valid model, or unset it to use the bundled one."
    if source == "setting":
        return "Choose another model in Settings, or clear the path to use the bundled one."
    if source == "bundled":
        return _FIX_REINSTALL
    return "Replace or remove the file in the models folder (see models/README.md)."


def check_model(role: str, path: Path, source: str) -> ModelInfo:
    """Check that a model is present, readable and whole; return what was learned about it."""
    path = Path(path).expanduser()
    fix = _fix_for(source, role)
    try:
        if not path.exists():
            raise ModelError(ROLE_NAMES[role], path, "missing", "does not exist", fix)
        if path.is_dir():
            for child in path.iterdir():
                if child.is_file():
                    child.open("rb").close()
        else:
            path.open("rb").close()
    except PermissionError as exc:
        where = Path(exc.filename) if exc.filename else path
        raise ModelError(ROLE_NAMES[role], where, "unreadable", "cannot be read (permission denied)", f"Make it readable (chmod a+r) or {fix[0].lower()}{fix[1:]}") from None
    checker = {"stt": _check_whisper, "tts": _check_piper, "llm": _check_gguf, "text": _check_text}[role]
    info = checker(path, source, fix)
    if source == "bundled":
        _check_against_manifest(role, info, fix)
    return info


def _check_whisper(path: Path, source: str, fix: str) -> ModelInfo:
    role = ROLE_NAMES["stt"]
    if not path.is_dir():
        raise ModelError(role, path, "invalid", "is a file, but a Whisper model is a CTranslate2 folder (model.bin, config.json, tokenizer.json)", fix)
    for needed in ("model.bin", "config.json"):
        if not (path / needed).is_file():
            raise ModelError(role, path, "invalid", f"has no {needed}, so it is not a CTranslate2 Whisper folder", fix)
    if not ((path / "tokenizer.json").is_file() or any(path.glob("vocabulary.*"))):
        raise ModelError(role, path, "invalid", "has no tokenizer.json or vocabulary file", fix)
    try:
        json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ModelError(role, path / "config.json", "invalid", "is not valid JSON (the copy is damaged)", fix) from None
    if (path / "model.bin").stat().st_size < 1024:
        raise ModelError(role, path / "model.bin", "truncated", "is almost empty (the copy was cut short)", fix)
    return ModelInfo("stt", path, source, path.name, _size(path))


def _check_piper(path: Path, source: str, fix: str) -> ModelInfo:
    role = ROLE_NAMES["tts"]
    if path.is_dir() or path.suffix != ".onnx":
        raise ModelError(role, path, "invalid", "is not a Piper voice (an .onnx file with its .onnx.json beside it)", fix)
    config = path.with_name(path.name + ".json")
    if not config.is_file():
        raise ModelError(role, config, "missing", "does not exist; every Piper voice needs its .onnx.json config", fix)
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ModelError(role, config, "invalid", "is not a valid Piper voice config (audio.sample_rate missing or file damaged)", fix) from None
    if path.stat().st_size < 1024:
        raise ModelError(role, path, "truncated", "is almost empty (the copy was cut short)", fix)
    return ModelInfo("tts", path, source, path.stem, path.stat().st_size, config, {"sample_rate": rate})


def _check_gguf(path: Path, source: str, fix: str) -> ModelInfo:
    role = ROLE_NAMES["llm"]
    if path.is_dir():
        raise ModelError(role, path, "invalid", "is a folder, but a language model is a single .gguf file", fix)
    try:
        header = read_gguf_header(path)
    except GGUFFormatError as exc:
        kind = "truncated" if exc.truncated else "invalid"
        what = "is truncated: " if exc.truncated else "is not a usable GGUF model: "
        raise ModelError(role, path, kind, what + str(exc), fix) from None
    except OSError as exc:
        raise ModelError(role, path, "unreadable", f"cannot be read ({exc.strerror})", fix) from None
    details = {"parameters": header.n_parameters, "architecture": header.metadata.get("general.architecture", "")}
    return ModelInfo("llm", path, source, header.name or path.stem, path.stat().st_size, details=details)


def _check_text(path: Path, source: str, fix: str) -> ModelInfo:
    role = ROLE_NAMES["text"]
    if not path.is_dir():
        raise ModelError(role, path, "invalid", "is a file, but a text model is a folder with a tokenizer .json and a .safetensors embedding table", fix)
    tokenizer, weights = text_model_files(path)
    if tokenizer is None:
        raise ModelError(role, path, "invalid", "has no tokenizer (a file named *tokenizer*.json)", fix)
    if weights is None:
        raise ModelError(role, path, "invalid", "has no .safetensors embedding table", fix)
    found = embedding_header(weights)
    if found is None:
        raise ModelError(role, weights, "invalid", "is not a safetensors file with a 2-D embedding table (the copy is damaged or it is another kind of model)", fix)
    n, table = found
    if weights.stat().st_size < 8 + n + table["data_end"]:
        raise ModelError(role, weights, "truncated", "is shorter than its header says (the copy was cut short)", fix)
    details = {"dimensions": int(table["shape"][1]), "vocabulary": int(table["shape"][0])}
    return ModelInfo("text", path, source, path.name, _size(weights) + _size(tokenizer), details=details)


def _check_against_manifest(role: str, info: ModelInfo, fix: str) -> None:
    files = _manifest()[role]["files"]
    base = info.path if info.path.is_dir() else info.path.parent
    for name, expected in files.items():
        f = base / name
        if not f.is_file():
            raise ModelError(ROLE_NAMES[role], f, "missing", "does not exist (the bundled model is incomplete)", fix)
        size = f.stat().st_size
        if size != expected["size"]:
            kind = "truncated" if size < expected["size"] else "invalid"
            raise ModelError(ROLE_NAMES[role], f, kind, f"is {size:,} bytes where {expected['size']:,} were shipped", fix)


def verify_bundled_hash(info: ModelInfo) -> bool:
    """Hash a bundled model against the manifest (slow: used by `doctor`)."""
    files = _manifest()[info.role]["files"]
    base = info.path if info.path.is_dir() else info.path.parent
    for name, expected in files.items():
        digest = hashlib.sha256()
        with (base / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected["sha256"]:
            raise ModelError(ROLE_NAMES[info.role], base / name, "invalid", "does not match the shipped file (it was modified or damaged)", _FIX_REINSTALL)
    return True


def _candidates(role: str, folder: Path) -> list[Path]:
    """Models of one role dropped into a folder; the preferred one first."""
    if not folder.is_dir():
        return []
    if role == "stt":
        found = [d for d in folder.iterdir() if d.is_dir() and (d / "model.bin").is_file()]
        return sorted(found, key=lambda d: (-(d / "model.bin").stat().st_size, d.name))
    if role == "tts":
        return sorted(p for p in folder.iterdir() if p.suffix == ".onnx" and p.is_file())
    if role == "text":
        return sorted(d for d in folder.iterdir() if d.is_dir() and any(d.glob("*.safetensors")))
    found = [p for p in folder.iterdir() if p.suffix == ".gguf" and p.is_file()]
    return sorted(found, key=lambda p: (-p.stat().st_size, p.name))


def model_folders() -> list[tuple[str, Path]]:
    folders = []
    repo = paths.repo_models_dir()
    if repo is not None:
        folders.append(("models folder", repo))
    folders.append(("user models folder", paths.user_models_dir()))
    return folders


def resolve(role: str, settings: Settings | None = None) -> ModelInfo:
    """The model the app will use for a role, checked; raises ModelError with a fix."""
    if role not in ROLES:
        raise ValueError(role)
    settings = settings or Settings()
    env = os.environ.get(ENV_VARS[role], "").strip()
    explicit = getattr(settings, SETTING_KEYS[role]).strip()
    if env:
        return check_model(role, Path(env), "environment")
    if explicit:
        return check_model(role, Path(explicit), "setting")
    for source, folder in model_folders():
        for candidate in _candidates(role, folder):
            return check_model(role, candidate, source)
    return bundled_model(role)


def bundled_model(role: str) -> ModelInfo:
    """The model installed with the app for a role, checked; named as the manifest names it."""
    entry = _manifest()[role]
    info = check_model(role, _bundled_path(role, entry), "bundled")
    info.name = entry["name"]
    info.details["package"] = f"{entry['package']}=={entry['version']}"
    return info
