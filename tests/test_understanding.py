"""The text model: found by the registry like the others, loaded from its files, judging closeness in meaning."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from mockloop.engine.core.errors import ModelError
from mockloop.engine.models import registry
from mockloop.engine.models.text_model import shared_encoder
from mockloop.engine.understanding.encoder import TextEncoder
from mockloop.engine.understanding.files import text_model_files


@pytest.fixture(scope="module")
def encoder():
    return shared_encoder()


def _copy_text_model(bundled, folder):
    """A user's own static-embedding folder: a tokenizer and a safetensors table, side by side."""
    tokenizer, weights = text_model_files(bundled["text"].path)
    folder.mkdir(parents=True)
    shutil.copy(tokenizer, folder / "tokenizer.json")
    shutil.copy(weights, folder / "embeddings.safetensors")
    return folder


def test_the_bundled_text_model_resolves_and_matches_its_manifest(bundled):
    info = bundled["text"]
    assert info.source == "bundled" and info.details["package"].startswith("wordllama==")
    assert info.details["dimensions"] == 256 and info.details["vocabulary"] == 32000
    assert registry.verify_bundled_hash(info)


def test_the_package_itself_is_never_imported(encoder):
    """Importing wordllama would reach for the network; mockloop reads its two files only."""
    import sys

    assert encoder.dimensions == 256
    assert not any(name == "wordllama" or name.startswith("wordllama.") for name in sys.modules)


def test_closeness_follows_meaning(encoder):
    texts = ["of the tweets we flag, what share are really spam",
             "what fraction of flagged tweets are truly spam",
             "the weather in the city was sunny all week"]
    v = encoder.encode(texts)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    cos = v @ v.T
    assert cos[0, 1] > cos[0, 2] + 0.3
    aligned = encoder.align(texts[:1], texts[1:])
    assert aligned[0, 0] > aligned[0, 1] + 0.3
    # The question's own words can be left out of an alignment: then only the rest must agree.
    ignore = encoder.token_ids("spam tweets")
    assert encoder.align(["spam tweets"], ["spam tweets everywhere"], ignore)[0, 0] < 0.5


def test_an_empty_text_is_the_zero_vector(encoder):
    v = encoder.encode(["", "   "])
    assert v.shape == (2, 256) and not v.any()
    assert encoder.encode([]).shape == (0, 256)


def test_a_user_text_model_in_the_models_folder_is_used(bundled, tmp_path, monkeypatch):
    folder = _copy_text_model(bundled, tmp_path / "models" / "my-embeddings")
    monkeypatch.setenv("MOCKLOOP_MODELS_DIR", str(tmp_path / "models"))
    info = registry.resolve("text")
    assert (info.source, info.path) == ("user models folder", folder)
    mine = TextEncoder(info)
    text = ["rank trending topics by how unusual their volume is"]
    assert np.allclose(mine.encode(text), shared_encoder().encode(text), atol=1e-6)


def test_a_truncated_text_model_is_named(bundled, tmp_path, monkeypatch):
    folder = _copy_text_model(bundled, tmp_path / "cut")
    table = folder / "embeddings.safetensors"
    table.write_bytes(table.read_bytes()[: 1_000_000])
    monkeypatch.setenv("MOCKLOOP_TEXT_MODEL", str(folder))
    with pytest.raises(ModelError) as caught:
        registry.resolve("text")
    assert caught.value.kind == "truncated" and caught.value.path == table
    assert "cut short" in caught.value.user_message()


@pytest.mark.parametrize("damage, kind, words", [
    ("no-tokenizer", "invalid", "has no tokenizer"),
    ("not-safetensors", "invalid", "2-D embedding table"),
    ("a-file", "invalid", "is a file"),
])
def test_a_broken_text_model_says_what_is_wrong(bundled, tmp_path, monkeypatch, damage, kind, words):
    folder = _copy_text_model(bundled, tmp_path / "broken")
    target = folder
    if damage == "no-tokenizer":
        (folder / "tokenizer.json").unlink()
    elif damage == "not-safetensors":
        (folder / "embeddings.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00" + json.dumps({"x": 1}).encode())
    else:
        target = folder / "embeddings.safetensors"
    monkeypatch.setenv("MOCKLOOP_TEXT_MODEL", str(target))
    with pytest.raises(ModelError) as caught:
        registry.resolve("text")
    assert caught.value.kind == kind and words in caught.value.user_message()
    assert "MOCKLOOP_TEXT_MODEL" in caught.value.fix


def test_scoring_says_so_when_the_text_model_is_missing(tmp_path, monkeypatch):
    """A broken text model costs the meaning judgement, never the score."""
    from mockloop.engine.bank import load_banks
    from mockloop.engine.scoring import score_answer
    from mockloop.engine.models import text_model as encoder_module

    monkeypatch.setenv("MOCKLOOP_TEXT_MODEL", str(tmp_path / "gone"))
    monkeypatch.setattr(encoder_module, "_shared", {})
    bank, question = load_banks().find("mle-spam-class-imbalance")
    result = score_answer(question, bank, "I would downsample the negatives and use focal loss because spam is rare.")
    assert result.scored and result.score.overall is not None
    assert result.understanding["used"] is False
    assert "phrases only" in result.understanding["reason"] and "does not exist" in result.understanding["reason"]
