"""The bundled GGUF loads and generates on CPUs that report AMX (llama.cpp crashes there by default)."""

from __future__ import annotations

import json
import subprocess
import sys

from mockloop.engine.models.llm import _disable_extra_buffer_types


def test_extra_buffer_types_are_disabled_for_every_load():
    import llama_cpp.llama_cpp as low

    _disable_extra_buffer_types()
    _disable_extra_buffer_types()  # idempotent: wrapping twice would still be one wrapper
    assert low.llama_model_default_params().use_extra_bufts is False
    assert getattr(low.llama_model_default_params, "_mockloop_safe", False)


def test_bundled_model_generates_text(llm):
    reply = llm.chat([{"role": "user", "content": "Name one metric for a ranking model."}], max_tokens=24)
    assert len(reply.split()) >= 1 and any(c.isalpha() for c in reply)


def test_schema_constrained_output_is_valid_json(llm):
    schema = {
        "type": "object",
        "properties": {"question": {"type": "string"}},
        "required": ["question"],
    }
    raw = llm.chat(
        [{"role": "user", "content": "Ask one follow-up question about class imbalance in spam detection."}],
        max_tokens=60,
        json_schema=schema,
    )
    data = json.loads(raw)
    assert isinstance(data["question"], str) and data["question"].strip()


def test_generation_is_deterministic_at_temperature_zero(llm):
    messages = [{"role": "user", "content": "What does NDCG measure?"}]
    assert llm.chat(messages, max_tokens=20) == llm.chat(messages, max_tokens=20)


def test_load_and_generate_in_a_fresh_process(bundled):
    # A fresh process proves the guard works before anything else touched llama.cpp;
    # without it this machine dies with SIGSEGV (exit -11) in ggml_backend_amx_mul_mat.
    code = (
        "from mockloop.engine.models import registry; from mockloop.engine.models.llm import LocalLLM;"
        "m = LocalLLM(registry.resolve('llm'), n_ctx=256);"
        "print(m.chat([{'role': 'user', 'content': 'Say hi.'}], max_tokens=6))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-2000:]}"
    assert out.stdout.strip()
