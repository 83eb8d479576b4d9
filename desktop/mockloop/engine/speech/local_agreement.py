"""LocalAgreement-2: which words of successive Whisper hypotheses are settled enough to commit.

The streaming transcriber decodes the same growing audio again and again; a word is
committed once two hypotheses agree on it (the policy of ufal/whisper_streaming).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from mockloop.engine.speech.transcript import Word


def word_key(text: str) -> str:
    """A word without case or punctuation, for comparing hypotheses."""
    return re.sub(r"[^\w']", "", text.lower())


@dataclass
class LocalAgreement:
    """LocalAgreement-2 over word hypotheses with absolute times (after ufal/whisper_streaming).

    Hypotheses only 0.5 s apart see nearly the same audio and agree on the same mistakes,
    so the caller renews the one compared against (`reference`, with `compare=True`) only
    every so often (the transcriber's `agree_every`), while `latest` (for captions) follows
    every decode.
    """

    committed_in_buffer: list[Word] = field(default_factory=list)
    reference: list[Word] = field(default_factory=list)  # uncommitted tail of the hypothesis compared against
    latest: list[Word] = field(default_factory=list)  # uncommitted tail of the newest hypothesis
    last_time: float = float("-inf")  # end of the last committed word

    def _fresh(self, words: list[Word]) -> list[Word]:
        """Drop words that repeat what is already committed (by time, then by a 1-5 word overlap)."""
        new = [w for w in words if w.start > self.last_time - 0.1]
        if new and abs(new[0].start - self.last_time) < 1.0 and self.committed_in_buffer:
            for n in range(min(5, len(new), len(self.committed_in_buffer)), 0, -1):
                tail = [word_key(w.text) for w in self.committed_in_buffer[-n:]]
                if tail == [word_key(w.text) for w in new[:n]]:
                    new = new[n:]
                    break
        return new

    def insert(self, words: list[Word], edge: float = float("inf"), compare: bool = True) -> list[Word]:
        """Take a new hypothesis; when `compare`, return the words it commits: its prefix agreeing
        with the reference, ending before `edge` (a word cut off by the end of the audio may still change)."""
        new = self._fresh(words)
        commit = []
        if compare:
            ref = list(self.reference)
            while new and ref and new[0].end <= edge and word_key(new[0].text) == word_key(ref[0].text):
                commit.append(new.pop(0))
                ref.pop(0)
            self.reference = new
        self.latest = new
        self._commit(commit)
        return commit

    def settle(self, words: list[Word], edge: float) -> list[Word]:
        """Commit a hypothesis up to a pause: the words that end before `edge` (where the speech stopped), up to
        the first one Whisper trailed off on ("how much..."), which is a guess at what comes next."""
        new = self._fresh(words)
        commit = []
        while new and new[0].end <= edge and not new[0].text.rstrip().endswith(("...", "…")):
            commit.append(new.pop(0))
        self.reference, self.latest = list(new), list(new)
        self._commit(commit)
        return commit

    def final(self, words: list[Word] | None) -> list[Word]:
        """Commit everything: a last hypothesis (deduplicated) or else the newest pending tail."""
        commit = self._fresh(words) if words is not None else self.latest
        self.reference, self.latest = [], []
        self._commit(commit)
        return commit

    def _commit(self, words: list[Word]) -> None:
        for w in words:  # hypotheses disagree on boundaries by a few tens of ms: keep words in order
            if w.start < self.last_time:
                w.start = self.last_time
                w.end = max(w.end, w.start)
            self.last_time = w.end
        self.committed_in_buffer.extend(words)

    def drop_before(self, t: float) -> list[Word]:
        """Forget committed words whose audio was trimmed; return them (they become prompt context)."""
        keep = [w for w in self.committed_in_buffer if w.end > t]
        gone = self.committed_in_buffer[: len(self.committed_in_buffer) - len(keep)]
        self.committed_in_buffer = keep
        return gone


def looks_like_a_loop(words: list[Word]) -> bool:
    """Whisper's own test for a decoding loop: the text compresses too well (gzip ratio above 2.4)."""
    if len(words) < 20:
        return False
    text = " ".join(w.text for w in words).encode()
    return len(text) / len(zlib.compress(text)) > 2.4
