"""Claims, not words: what a candidate rejects, makes conditional or only lists is told apart from what they claim."""

from __future__ import annotations

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.scoring import score_answer
from mockloop.engine.scoring.claims import Claims
from mockloop.engine.scoring.text import find_phrase, make_doc, make_phrase, transcript_from_text


def verdicts(text: str, *terms: str) -> dict[str, str]:
    claims = Claims(make_doc(transcript_from_text(text)))
    out = {}
    for term in terms:
        spans = find_phrase(claims.doc, make_phrase(term))
        assert spans, term
        i, j = spans[-1]
        out[term] = "rejected" if claims.rejected(i, j) else "listed" if claims.listed(i) else "claimed"
    return out


@pytest.mark.parametrize("text, expected", [
    ("I would not downsample the negatives.", {"downsample the negatives": "rejected"}),
    ("I wouldn't bother with class weights or focal loss.", {"class weights": "rejected", "focal loss": "rejected"}),
    ("Not accuracy but precision and recall.", {"accuracy": "rejected", "precision": "claimed", "recall": "claimed"}),
    ("I'd use precision and recall instead of accuracy.", {"precision": "claimed", "accuracy": "rejected"}),
    ("There's no need for SMOTE, we just use class weights.", {"smote": "rejected", "class weights": "claimed"}),
    ("The outputs are proper probabilities and there's nothing to recalibrate.", {"recalibrate": "rejected"}),
    ("SMOTE, which is overkill here, and then class weights.", {"smote": "rejected"}),
    ("The usual fixes are SMOTE and focal loss. I'd skip all of those.", {"smote": "rejected", "focal loss": "rejected"}),
    ("Survival analysis with censoring, that's academic, I wouldn't bother.", {"survival analysis": "rejected"}),
    ("The standard design is a cascade with a blocklist. I'd skip the cascade, too many moving parts.",
     {"blocklist": "rejected"}),
])
def test_rejections_are_heard(text, expected):
    assert verdicts(text, *expected) == expected


@pytest.mark.parametrize("text, expected", [
    # A negation inside a condition or a purpose is reasoning, not a rejection.
    ("If we don't recalibrate after downsampling, the scores are off.", {"recalibrate": "claimed", "downsampling": "claimed"}),
    ("I'd use a time based split so we don't get leakage from future edges.", {"time based split": "claimed", "leakage": "claimed"}),
    ("Not just precision, also recall at a fixed threshold.", {"precision": "claimed", "recall": "claimed"}),
    ("The model isn't perfect, so I'd add human review for the uncertain cases.", {"human review": "claimed"}),
])
def test_reasoning_with_a_negation_is_not_a_rejection(text, expected):
    assert verdicts(text, *expected) == expected


def test_a_sentence_of_bare_terms_is_a_list_and_a_sentence_with_reasons_is_not():
    text = ("Precision recall PR AUC focal loss class weights calibration threshold. "
            "I'd use class weights in the loss because missing spam costs more than a false alarm.")
    assert verdicts(text, "focal loss", "class weights") == {"focal loss": "listed", "class weights": "claimed"}


def test_i_would_not_downsample_does_not_cover_downsampling():
    bank, question = load_banks().find("mle-spam-class-imbalance")
    said = score_answer(question, bank, "Since spam is so rare I would downsample the negatives, keeping one in a hundred, "
                                       "and then correct the scores back to the true rate.")
    denied = score_answer(question, bank, "Since spam is so rare I would not downsample the negatives, and I would not "
                                         "correct the scores either; I'd train on everything as it comes.")
    point = "resampling"
    by_id = {p.id: p for p in said.rubric}, {p.id: p for p in denied.rubric}
    assert by_id[0][point].status != "missing"
    assert by_id[1][point].status == "missing" and "downsample negatives" not in by_id[1][point].matched_signals
    assert by_id[1][point].rejected_signals
    assert said.score.overall > denied.score.overall
