"""The text model: sentences to unit vectors with a static word-embedding table, so cosine
similarity says how close two texts are in meaning. Loads in a fraction of a second, needs no
thread of its own and can be shared by every thread (numpy and the tokenizer are thread-safe)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.model_info import ROLE_NAMES, ModelInfo
from mockloop.engine.understanding.files import embedding_header, text_model_files

_DTYPES = {"F16": np.float16, "F32": np.float32, "BF16": None}
# Words that carry no meaning of their own: they do not count when texts are aligned word by word.
_FUNCTION = frozenset("""a an the and or but if then so of to in on at for from by with about into over under is are was
    were be been being do does did have has had i you we they he she it this that these those what which who how when where
    would could should will can may might must my our your their its me us them as than also just very really there
    here some any all such only same too whether each every both let am get got go going um uh like okay well s ll d ve
    re m t""".split())


def _read_table(weights: Path) -> np.ndarray:
    """The 2-D embedding table of a safetensors file, mapped from disk (read without the safetensors
    package; rows are converted to float32 only when a text uses them)."""
    found = embedding_header(weights)
    if found is None:
        raise ModelError(ROLE_NAMES["text"], weights, "invalid", "is not a safetensors file with a 2-D embedding table",
                         "Reinstall the app's packages, or remove the text model from the models folder.")
    n, meta = found
    name = meta["name"]
    dtype = _DTYPES.get(meta["dtype"])
    if dtype is None:
        raise ModelError(ROLE_NAMES["text"], weights, "invalid", f"stores '{name}' as {meta['dtype']}, which mockloop cannot read (use F16 or F32)",
                         "Use a text model saved as float16 or float32.")
    start, _ = meta["data_offsets"]
    return np.memmap(weights, dtype=dtype, mode="r", offset=8 + n + start, shape=tuple(meta["shape"]))


class TextEncoder:
    """Averaged vectors of a text's meaningful words, L2-normalised; a text without any is the zero vector."""

    def __init__(self, info: ModelInfo) -> None:
        from tokenizers import Tokenizer

        self.info = info
        tokenizer_path, weights = text_model_files(Path(info.path))
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
            self._table = _read_table(weights)
        except ModelError:
            raise
        except Exception as exc:  # a damaged file: say which, never crash the app
            raise ModelError(ROLE_NAMES["text"], Path(info.path), "load-failed", f"could not be loaded ({type(exc).__name__}: {str(exc)[:120]})",
                             "Reinstall the app's packages, or remove the text model from the models folder.") from None
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self.dimensions = self._table.shape[1]
        vocab = self._tokenizer.get_vocab()
        self._weight = np.ones(len(self._table), dtype=np.float32)
        for token, i in vocab.items():
            word = token.lstrip("▁Ġ ").lower()
            if 0 <= i < len(self._weight) and (word in _FUNCTION or not any(c.isalnum() for c in word)):
                self._weight[i] = 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimensions) float32 unit vectors."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        rows = len(self._table)
        for i, enc in enumerate(self._tokenizer.encode_batch([t.lower() for t in texts], add_special_tokens=False)):
            ids = [t for t in enc.ids if 0 <= t < rows and self._weight[t] > 0]
            if ids:
                out[i] = self._table[ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 0)

    def token_ids(self, text: str) -> frozenset[int]:
        """The meaningful tokens of a text (to leave out of an alignment: `align(..., ignore=...)`)."""
        return frozenset(t for t in self._tokenizer.encode(text.lower(), add_special_tokens=False).ids
                         if 0 <= t < len(self._weight) and self._weight[t] > 0)

    def _tokens(self, texts: Sequence[str], ignore: frozenset[int] = frozenset()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The meaningful tokens of each text, stacked: unit vectors, weights, and each text's first row."""
        rows = len(self._table)
        ids, starts, empty = [], [], []
        for enc in self._tokenizer.encode_batch([t.lower() for t in texts], add_special_tokens=False):
            starts.append(len(ids))
            kept = [t for t in enc.ids if 0 <= t < rows and self._weight[t] > 0 and t not in ignore]
            if not kept:  # a text with no meaningful word keeps one row that weighs nothing
                empty.append(len(ids))
            ids.extend(kept or [0])
        index = np.asarray(ids, dtype=np.int64)
        vectors = self._table[index].astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = np.divide(vectors, norms, out=vectors, where=norms > 0)
        weights = self._weight[index].copy()
        weights[empty] = 0.0
        vectors[empty] = 0.0
        return vectors, weights, np.asarray(starts, dtype=np.int64)

    def align(self, texts: Sequence[str], references: Sequence[str], ignore: frozenset[int] = frozenset()) -> np.ndarray:
        """(len(texts), len(references)) similarity by word alignment: each meaningful word of one text
        matched to its closest word in the other, both ways, as the F1 of the two averages. Unlike an
        average of all words, a long sentence does not blur into every topic. Tokens in `ignore`
        (the question's own words, say) count on neither side."""
        if not texts or not references:
            return np.zeros((len(texts), len(references)), dtype=np.float32)
        a, wa, sa = self._tokens(texts, ignore)
        b, wb, sb = self._tokens(references, ignore)
        # Word pairs less alike than unrelated count as unrelated: with every similarity negative, the
        # F1 of two negative averages would otherwise come out positive (and clipped to 1).
        sims = np.clip(a @ b.T, 0.0, 1.0)  # words x words
        best_in_ref = np.maximum.reduceat(sims, sb, axis=1)  # text words x references
        best_in_text = np.maximum.reduceat(sims, sa, axis=0)  # texts x reference words
        precision = np.add.reduceat(best_in_ref * wa[:, None], sa, axis=0) / np.maximum(np.add.reduceat(wa, sa), 1e-6)[:, None]
        recall = np.add.reduceat(best_in_text * wb[None, :], sb, axis=1) / np.maximum(np.add.reduceat(wb, sb), 1e-6)[None, :]
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-6)
        return np.clip(f1, 0.0, 1.0).astype(np.float32)
