"""What settling at pauses costs: one paced answer through the listener with and without asking, twice each.

Usage: .venv/bin/python scripts/settle_cost.py [SECONDS]   (the answer's length, default 60)
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from mockloop.engine.tools.speech_set import load_set, long_answer
from mockloop.engine.speech import streaming
from mockloop.engine.speech.whisper_decoder import WhisperDecoder
from mockloop.engine.models import registry
from mockloop.engine.core.settings import Settings, EndOfTurn
from mockloop.engine.models.text_model import shared_encoder
from mockloop.engine.interview.asking import AskWatch
from mockloop.engine.interview.listener import TurnListener
from mockloop.engine.audio.capture import WavFileIn
from mockloop.engine.speech.endpointer import EndpointerConfig
stats = {}
_final = streaming.StreamingTranscriber._final


def _counted(self):
    """The transcriber's own final result, with its decode counts kept for the report."""
    result = _final(self)
    stats["decodes"], stats["decode_s"] = result.decodes, result.decode_seconds
    return result


streaming.StreamingTranscriber._final = _counted
dec = WhisperDecoder(registry.resolve("stt", Settings()))
enc = shared_encoder()
clips = load_set()
clip = long_answer(clips, float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
tmp = Path(tempfile.mkdtemp()); path = tmp / "a.wav"
sf.write(str(path), np.concatenate([clip.audio, np.zeros(5 * 16000, np.float32)]), 16000)
for asking in (False, True, False, True):
    cfg = EndpointerConfig(mode=EndOfTurn.MANUAL, no_speech_seconds=None)
    lis = TurnListener(WavFileIn(path, realtime=True), dec, None, config=cfg, question="q",
                       asking=AskWatch(enc) if asking else None, on_addressed=(lambda a, n: None) if asking else None)
    r = lis.run()
    print(f"asking={asking} audio={r.audio_seconds:.1f}s decodes={stats['decodes']} decode_s={stats['decode_s']:.1f} "
          f"rtf={stats['decode_s']/r.audio_seconds:.3f}", flush=True)
