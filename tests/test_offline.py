"""Nothing downloads: the four models load and run with every socket connection refused."""

from __future__ import annotations

import socket

import numpy as np
import pytest
import soxr

from mockloop.engine.models import offline
from mockloop.engine.models.offline import NetworkBlocked, network_blocked

SENTENCE = "How would you predict churn for premium subscribers?"


def word_error_rate(reference: str, hypothesis: str) -> float:
    import re

    import jiwer

    def norm(t: str) -> str:
        return re.sub(r"[^a-z0-9' ]+", " ", t.lower()).strip()

    return jiwer.wer(norm(reference), norm(hypothesis))


def test_guard_really_blocks_connections():
    with network_blocked() as attempts:
        with pytest.raises(NetworkBlocked):
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("huggingface.co", 443)
        s = socket.socket()
        with pytest.raises(NetworkBlocked):
            s.connect(("127.0.0.1", 9))
        s.close()
    assert len(attempts) == 3
    # and restores everything afterwards
    assert socket.getaddrinfo("127.0.0.1", 80)


def test_stt_tts_llm_text_load_and_run_with_network_blocked(bundled):
    from mockloop.engine.models.llm import LocalLLM
    from mockloop.engine.understanding.encoder import TextEncoder
    from mockloop.engine.speech.transcript import SAMPLE_RATE
    from mockloop.engine.speech.whisper_decoder import Transcriber
    from mockloop.engine.speech.tts import Voice

    offline.enforce_offline_env()
    with network_blocked() as attempts:
        voice = Voice(bundled["tts"])
        audio = voice.synthesize(SENTENCE)
        stt = Transcriber(bundled["stt"])
        heard = stt.transcribe(soxr.resample(audio, voice.sample_rate, SAMPLE_RATE).astype(np.float32))
        llm = LocalLLM(bundled["llm"], n_ctx=256)
        reply = llm.chat([{"role": "user", "content": "Say ready."}], max_tokens=6)
        llm.close()
        meaning = TextEncoder(bundled["text"]).encode([SENTENCE, "Which premium subscribers will cancel?"])
    assert attempts == []
    assert float(meaning[0] @ meaning[1]) > 0.3
    assert word_error_rate(SENTENCE, heard.text) <= 0.25, heard.text
    assert reply
    assert all(offline.offline_env_status().values())
