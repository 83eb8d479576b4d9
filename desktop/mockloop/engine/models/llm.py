"""The local language model (llama.cpp): loaded safely on any CPU, called from one thread at a time."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.model_info import ROLE_NAMES, ModelInfo

_patch_lock = threading.Lock()


def _disable_extra_buffer_types() -> None:
    """Turn off llama.cpp's extra buffer types (AMX repacking) for every model this process loads.

    On CPUs that report AMX, llama.cpp crashes with SIGSEGV in ggml_backend_amx_mul_mat when
    those buffers are used; the plain CPU path is correct everywhere and fast enough here.
    """
    import llama_cpp.llama_cpp as low

    with _patch_lock:
        if getattr(low.llama_model_default_params, "_mockloop_safe", False):
            return
        original = low.llama_model_default_params

        def safe_default_params():
            params = original()
            params.use_extra_bufts = False
            return params

        safe_default_params._mockloop_safe = True
        low.llama_model_default_params = safe_default_params


def default_threads() -> int:
    return max(1, (os.cpu_count() or 2))


class LocalLLM:
    """One loaded GGUF model. Calls are serialised: llama.cpp contexts are not thread-safe."""

    def __init__(self, info: ModelInfo, n_ctx: int = 2048, n_threads: int = 0) -> None:
        self.info = info
        _disable_extra_buffer_types()
        from llama_cpp import Llama

        try:
            self._llama = Llama(
                model_path=str(info.path),
                n_ctx=n_ctx,
                n_threads=n_threads or default_threads(),
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(
                ROLE_NAMES["llm"], Path(info.path), "load-failed",
                f"could not be loaded by llama.cpp ({exc}); the file may be damaged or of an unsupported architecture",
                "Use another GGUF file, or clear the setting to use the bundled model.",
            ) from None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def n_parameters(self) -> int:
        return int(self.info.details.get("parameters", 0))

    def chat(
        self,
        messages: list[dict],
        max_tokens: int = 64,
        temperature: float = 0.0,
        json_schema: dict | None = None,
        seed: int = 7,
    ) -> str:
        """One chat completion; with json_schema the output is constrained to that schema."""
        kwargs: dict = {"max_tokens": max_tokens, "temperature": temperature, "seed": seed}
        if json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        with self._lock:
            self._check_open()
            out = self._llama.create_chat_completion(messages=messages, **kwargs)
        return (out["choices"][0]["message"]["content"] or "").strip()

    def chat_until(
        self,
        messages: list[dict],
        *,
        max_tokens: int = 64,
        json_schema: dict | None = None,
        deadline: float | None = None,
        cancel: threading.Event | None = None,
        seed: int = 7,
    ) -> tuple[str, str]:
        """Like chat(), but stops early at `deadline` (time.monotonic()) or when `cancel` is set.

        Returns (text, outcome) where outcome is "done", "timeout" or "cancelled"; the lock is
        released within one token of a stop, so a discarded draft never blocks the next call.
        """
        kwargs: dict = {"max_tokens": max_tokens, "temperature": 0.0, "seed": seed, "stream": True}
        if json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        parts: list[str] = []
        outcome = "done"
        with self._lock:
            self._check_open()
            if cancel is not None and cancel.is_set():
                return "", "cancelled"
            stream = self._llama.create_chat_completion(messages=messages, **kwargs)
            try:
                for chunk in stream:
                    parts.append(chunk["choices"][0]["delta"].get("content") or "")
                    if cancel is not None and cancel.is_set():
                        outcome = "cancelled"
                        break
                    if deadline is not None and time.monotonic() > deadline:
                        outcome = "timeout"
                        break
            finally:
                stream.close()
        return "".join(parts).strip(), outcome

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the language model was closed")

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._llama.close()
