"""What the streaming transcriber hands out: live captions while the candidate speaks, the final result after."""

from __future__ import annotations

from dataclasses import dataclass

from mockloop.engine.speech.transcript import Transcript, Word


@dataclass(frozen=True)
class Caption:
    """What to show while the candidate speaks. `committed` only ever grows."""

    committed: str
    tentative: str
    new_words: tuple[Word, ...]  # committed by this update
    tentative_words: tuple[Word, ...]
    audio_end: float  # absolute time up to which audio was decoded

    @property
    def text(self) -> str:
        return f"{self.committed} {self.tentative}".strip()


@dataclass
class StreamResult:
    """The final transcript of one turn (word times in absolute capture seconds)."""

    transcript: Transcript
    no_speech: bool  # nothing was said: a clear outcome, not an empty answer to score
    speech_seconds: float  # how much audio the VAD called speech
    audio_seconds: float  # how much audio was fed
    finish_seconds: float  # wall time from finish() to this result
    decodes: int = 0
    decode_seconds: float = 0.0  # wall time spent decoding (compute cost)
    max_buffer_seconds: float = 0.0
    final_decoded: bool = False  # whether finish() had to decode a tail at all
    final_decode_seconds: float = 0.0  # of finish_seconds, the time spent decoding that tail


__all__ = ["Caption", "StreamResult"]
