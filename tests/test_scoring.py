"""Scoring of one answer: matching, evidence, low-confidence words, flags, STAR, the judge gate, feedback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mockloop.engine.bank import load_bank_file
from mockloop.engine.scoring import (
    KEYWORD_LIST, NO_SPEECH, NON_ENGLISH, TOO_SHORT, UNCERTAIN_WORDS, blend_allowed, score_answer,
)
from mockloop.engine.scoring.rubric import COVERED, MISSING, PARTIAL
from mockloop.engine.scoring.text import find_phrase, make_doc, make_phrase, stem, transcript_from_text
from mockloop.engine.speech.transcript import Transcript, Word

from conftest import REPO

SPAM_ANSWER = (
    "Okay, let me clarify first. The cost of false positives on real users is high, because we would "
    "block people at signup. For features I'd use the IP address, a device fingerprint and the tweet rate "
    "as sliding window aggregates. Then a gradient boosting model, plus an isolation forest for "
    "coordinated accounts. The trade-off is precision versus recall, so a captcha for borderline cases."
)


@pytest.fixture(scope="module")
def bank():
    return load_bank_file(REPO / "questions" / "twitter-x.yaml")


def question(bank, qid):
    return next(q for q in bank.questions if q.id == qid)


def timed(text: str, low: dict[str, float] | None = None, start: float = 0.5, step: float = 0.35) -> Transcript:
    """A transcript with a Word per whitespace token, 0.3 s long, every 0.35 s."""
    low = low or {}
    ws = []
    for n, tok in enumerate(text.split()):
        t0 = round(start + n * step, 3)
        ws.append(Word(tok, t0, round(t0 + 0.3, 3), low.get(tok.strip(",.").lower(), 0.96)))
    return Transcript(" ".join(w.text for w in ws), ws, ws[-1].end + 0.5 if ws else 0.0)


# --- matching -----------------------------------------------------------------------------------

def spans(text: str, signal: str) -> list[str]:
    doc = make_doc(transcript_from_text(text))
    return [doc.span_text(i, j) for i, j in find_phrase(doc, make_phrase(signal))]


def test_short_acronyms_match_whole_words_only():
    assert spans("Planning the rollout, then mapping users and tips.", "ann") == []
    assert spans("Planning the rollout, then mapping users and tips.", "map") == []
    assert spans("Planning the rollout, then mapping users and tips.", "ips") == []
    assert spans("We retrieve with ANN, then use MAP and IPS weighting; PQ codes.", "ann") == ["ANN"]
    assert spans("We retrieve with ANN, then use MAP and IPS weighting; PQ codes.", "map") == ["MAP"]
    assert spans("We retrieve with ANN, then use MAP and IPS weighting; PQ codes.", "ips") == ["IPS"]
    assert spans("We retrieve with ANN, then use MAP and IPS weighting; PQ codes.", "pq") == ["PQ"]


def test_hyphens_slashes_and_spacing_normalise():
    assert spans("A two-tower model.", "two tower") == ["two-tower"]
    assert spans("The trade-offs are clear.", "trade off") == ["trade-offs"]
    assert spans("The trade-offs are clear.", "tradeoff") == ["trade-offs"]
    assert spans("Run an A/B test.", "a b test") == ["A/B test"]
    assert spans("Run an AB test.", "a b test") == ["AB test"]
    assert spans("Use Graph SAGE here.", "graphsage") == ["Graph SAGE"]


def test_plurals_numbers_contractions_and_one_filler():
    assert spans("Mine the hard negatives.", "hard negative") == ["hard negatives"]
    assert spans("User embeddings.", "embeddings") == ["embeddings"] and stem("embeddings") == stem("embedding")
    assert spans("About sixteen bytes per parameter.", "16 bytes") == ["sixteen bytes"]
    assert spans("Keep the top one percent.", "top 1%") == ["top one percent"]
    assert spans("I'll assume a billion users.", "i'll assume") == ["I'll assume"]
    assert spans("I will assume a billion users.", "i'll assume") == ["I will assume"]
    assert spans("Use focal, um, loss.", "focal loss") == ["focal, um, loss"]
    assert spans("Use focal and then loss.", "focal loss") == []


# --- evidence -----------------------------------------------------------------------------------

def test_evidence_spans_point_at_the_transcript_text(bank):
    result = score_answer(question(bank, "ds-spam-bot-detection"), bank, SPAM_ANSWER)
    covered = [p for p in result.rubric if p.status == COVERED]
    assert len(covered) >= 4
    for p in result.rubric:
        assert len(p.evidence) == min(len(p.matched_signals), 4)
        for ev in p.evidence:
            assert SPAM_ANSWER[ev.start_char:ev.end_char] == ev.match
            assert ev.match in ev.text.strip("…")
            assert ev.start is None and ev.end is None  # typed: no timings
    features = next(p for p in result.rubric if p.id == "behavioral-features")
    assert {"ip address", "device fingerprint", "tweet rate", "sliding window"} <= set(features.matched_signals)
    assert result.coverage() == {p.id: p.status for p in result.rubric}
    terms = result.named_terms()
    assert terms.index("IP address") < terms.index("device fingerprint") < terms.index("gradient boosting")


def test_evidence_timestamps_come_from_the_words(bank):
    transcript = timed(SPAM_ANSWER)
    result = score_answer(question(bank, "ds-spam-bot-detection"), bank, transcript)
    starts = {w.start for w in transcript.words}
    ends = {w.end for w in transcript.words}
    evidence = [ev for p in result.rubric for ev in p.evidence]
    assert len(evidence) >= 8
    for ev in evidence:
        assert transcript.text[ev.start_char:ev.end_char] == ev.match
        assert ev.start in starts and ev.end in ends and ev.end > ev.start
    ev = next(e for e in evidence if e.signal == "device fingerprint")
    device = next(w for w in transcript.words if w.text == "device")
    fingerprint = next(w for w in transcript.words if w.text == "fingerprint")
    assert (ev.start, ev.end) == (device.start, fingerprint.end)


def test_same_input_gives_identical_output(bank):
    q = question(bank, "ds-spam-bot-detection")
    a = json.dumps(score_answer(q, bank, timed(SPAM_ANSWER), nudges=1).to_dict(), sort_keys=True)
    b = json.dumps(score_answer(q, bank, timed(SPAM_ANSWER), nudges=1).to_dict(), sort_keys=True)
    assert a == b
    typed = score_answer(q, bank, SPAM_ANSWER).to_dict()
    assert typed == score_answer(q, bank, SPAM_ANSWER).to_dict()
    assert typed["score"]["overall"] == typed["score"]["deterministic_overall"]


def test_output_does_not_depend_on_the_hash_seed(bank):
    code = ("import json, sys; from mockloop.engine.bank import load_bank_file; "
            "from mockloop.engine.scoring import score_answer; "
            f"b = load_bank_file({str(REPO / 'questions' / 'twitter-x.yaml')!r}); "
            "q = next(q for q in b.questions if q.id == 'ds-spam-bot-detection'); "
            "print(json.dumps(score_answer(q, b, sys.stdin.read()).to_dict(), sort_keys=True))")
    runs = [subprocess.run([sys.executable, "-c", code], input=SPAM_ANSWER, capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] and json.loads(runs[0])["score"]["overall"] is not None


# --- low confidence -----------------------------------------------------------------------------

def test_a_doubted_word_near_a_signal_is_flagged_not_missed(bank):
    q = question(bank, "mle-spam-class-imbalance")
    text = "So I would use vocal loss here because the classes are imbalanced and the model ignores spam."
    doubted = score_answer(q, bank, timed(text, low={"vocal": 0.31}))
    point = next(p for p in doubted.rubric if p.id == "loss-weighting")
    assert point.status == PARTIAL and point.low_confidence
    (u,) = point.uncertain
    assert (u.heard, u.may_be, u.probability) == ("vocal", "focal loss", 0.31)
    word = next(w for w in doubted_words(text) if w[0] == "vocal")
    assert u.start == word[1] and text[u.start_char:u.end_char] == "vocal"
    assert UNCERTAIN_WORDS in doubted.flags
    assert any("misheard" in g and "vocal" in g for g in doubted.feedback.gaps)

    confident = score_answer(q, bank, timed(text))
    point = next(p for p in confident.rubric if p.id == "loss-weighting")
    assert point.status == MISSING and not point.uncertain and UNCERTAIN_WORDS not in confident.flags


def doubted_words(text: str) -> list[tuple[str, float]]:
    return [(w.text.strip(",."), w.start) for w in timed(text).words]


def test_low_probability_on_an_unrelated_word_flags_nothing(bank):
    q = question(bank, "mle-spam-class-imbalance")
    text = "So I would use focal loss here because the classes are imbalanced and weird spam is rare."
    result = score_answer(q, bank, timed(text, low={"weird": 0.2, "here": 0.3}))
    assert not any(p.uncertain for p in result.rubric)


# --- flags --------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["", "   ", "Um. Uh, hmm.", "Thank you.", Transcript("", [], 4.0)])
def test_no_speech_is_not_scored_as_zero(bank, answer):
    result = score_answer(question(bank, "ds-trending-topics"), bank, answer)
    d = result.to_dict()
    assert NO_SPEECH in d["flags"] and d["scored"] is False
    assert d["score"]["overall"] is None and set(d["score"]["dimensions"].values()) == {None}
    assert d["feedback"]["outline"] and "No speech" in d["feedback"]["coaching"][0]
    if isinstance(answer, Transcript) or not answer.strip():
        assert d["metrics"]["unavailable_reason"] == "no speech"


def test_very_short_answer_is_flagged_but_scored(bank):
    result = score_answer(question(bank, "mle-spam-class-imbalance"), bank, "I would use focal loss.")
    assert TOO_SHORT in result.flags and result.scored
    assert result.score.overall is not None


@pytest.mark.parametrize("answer", [
    "Primero definiría qué cuenta como spam, luego usaría la dirección IP y la edad de la cuenta, "
    "y entrenaría un modelo de gradient boosting con las etiquetas de los usuarios.",
    "Zuerst würde ich klären, was als Spam zählt, und dann die IP Adresse und das Alter des Kontos "
    "als Merkmale nutzen, mit einem Gradient Boosting Modell.",
    "まずスパムの定義を明確にして、IPアドレスとアカウントの年齢を特徴量として使います。",
])
def test_non_english_answer_is_flagged_and_not_scored(bank, answer):
    result = score_answer(question(bank, "ds-spam-bot-detection"), bank, answer)
    assert NON_ENGLISH in result.flags and not result.scored and result.score.overall is None
    assert "English" in result.feedback.coaching[0]


def test_english_answers_are_not_flagged_as_foreign(bank):
    english = score_answer(question(bank, "ds-spam-bot-detection"), bank, SPAM_ANSWER)
    assert NON_ENGLISH not in english.flags and KEYWORD_LIST not in english.flags


def test_a_list_of_terms_is_touched_not_covered(bank):
    q = question(bank, "ds-spam-bot-detection")
    terms = ("XGBoost, isolation forest, Kafka, Flink, captcha, shadow mode, precision, recall, device fingerprint, "
             "tweet rate, false positives, latency budget, user reports, manual review, rules engine, phone verification")
    listed = score_answer(q, bank, terms)
    assert KEYWORD_LIST in listed.flags and listed.scored
    assert {p.status for p in listed.rubric} <= {PARTIAL, MISSING}
    assert listed.score.overall < score_answer(q, bank, SPAM_ANSWER).score.overall - 20


# --- the LLM judge gate -------------------------------------------------------------------------

class FakeJudge:
    """Stands in for a judge model: records the request and returns fixed scores."""

    def __init__(self, n_parameters, scores=None, error=None):
        self.n_parameters = n_parameters
        self.scores = scores or {"depth": 0.0, "correctness": 0.0, "tradeoffs": 0.0, "communication": 0.0}
        self.error = error
        self.calls = []

    def __call__(self, request):
        self.calls.append(request)
        if self.error:
            raise self.error
        return self.scores


def test_blend_allowed_only_for_billion_parameter_models():
    assert blend_allowed(135e6) is False
    assert blend_allowed(134_515_008) is False
    assert blend_allowed(999_999_999) is False
    assert blend_allowed(1.5e9) is True
    assert blend_allowed(None) is False


def test_small_judge_is_never_blended(bank):
    q = question(bank, "mle-spam-class-imbalance")
    plain = score_answer(q, bank, SPAM_ANSWER)
    judge = FakeJudge(135e6)
    result = score_answer(q, bank, SPAM_ANSWER, judge=judge)
    assert judge.calls == [] and result.score.judge["used"] is False
    assert result.score.overall == plain.score.overall


def test_capable_judge_is_blended_and_failures_fall_back(bank):
    q = question(bank, "mle-spam-class-imbalance")
    text = "First, accuracy is misleading at 0.1 percent, so I'd use precision, recall and PR AUC, plus focal loss and class weights."
    plain = score_answer(q, bank, text)
    judge = FakeJudge(1.5e9)
    blended = score_answer(q, bank, text, judge=judge)
    (request,) = judge.calls
    assert request.transcript == text and [r["id"] for r in request.rubric] == [p.id for p in q.rubric]
    assert blended.score.judge["used"] is True
    assert blended.score.deterministic_overall == plain.score.overall
    assert blended.score.overall == pytest.approx(0.7 * plain.score.overall, abs=0.2)
    broken = score_answer(q, bank, text, judge=FakeJudge(7e9, error=TimeoutError("hung")))
    assert broken.score.judge["used"] is False and "TimeoutError" in broken.score.judge["reason"]
    assert broken.score.overall == plain.score.overall
    junk = score_answer(q, bank, text, judge=FakeJudge(7e9, scores={"vibes": "great"}))
    assert junk.score.judge["used"] is False and junk.score.overall == plain.score.overall


# --- behavioral STAR ----------------------------------------------------------------------------

STAR_I = (
    "At my last company our ranking model hurt non-English queries two weeks before a launch. "
    "My goal was to ship without hurting those users. I set up a one on one with the product manager, "
    "I listened to what was driving the date, I proposed a compromise and I ran an experiment on the rest. "
    "As a result we shipped on time and the A/B test showed a four percent lift in click through."
)


def test_star_structure_rewards_ownership_and_a_measured_result(bank):
    q = question(bank, "bh-conflict-teammate")
    mine = score_answer(q, bank, STAR_I)
    star = mine.score.star
    assert star["situation"] == 1.0 and star["task"] == 1.0 and star["measurable_result"] is True
    assert star["i_count"] >= 4 and star["action"] > 0.8
    ours = score_answer(q, bank, STAR_I.replace("I set up", "We set up").replace("I listened", "we listened")
                        .replace("I proposed", "we proposed").replace("I ran", "we ran"))
    assert ours.score.star["action"] < star["action"]
    assert ours.score.dimensions["action"] < mine.score.dimensions["action"]
    vague = score_answer(q, bank, "We disagreed about a model once. We talked about it and it was fine in the end, "
                                  "I think communication matters a lot in a team like ours.")
    assert vague.score.star["measurable_result"] is False
    assert vague.score.overall < mine.score.overall - 30
    assert set(mine.score.dimensions) == {"situation", "task", "action", "result", "communication"}


# --- feedback and the document ------------------------------------------------------------------

def test_feedback_phrases_gaps_as_advice_and_keeps_the_outline(bank):
    q = question(bank, "ds-spam-bot-detection")
    result = score_answer(q, bank, "I would train a neural network on account data and ban accounts with a high score.")
    fb = result.feedback
    assert fb.outline == list(q.outline)
    clarify = next(g for g in fb.gaps if "spam or a bot" in g)
    assert clarify.startswith("Next time, clarify what counts as spam or a bot")
    assert "Clarifies" not in clarify and len(clarify.split()) < 30
    assert not fb.strengths
    strong = score_answer(q, bank, SPAM_ANSWER)
    assert strong.feedback.strengths and all("“" in s for s in strong.feedback.strengths)


def test_the_document_is_json_and_has_the_contract_fields(bank):
    d = score_answer(question(bank, "mle-faiss-vs-hnsw"), bank, timed(
        "Let me clarify first. IVF PQ compresses vectors with product quantization and a codebook, "
        "while HNSW is a navigable small world graph with high recall but it keeps everything in RAM.")).to_dict()
    json.dumps(d)
    assert {"rubric", "score", "metrics", "insights", "feedback", "flags"} <= set(d)
    point = d["rubric"][0]
    assert {"id", "point", "dimension", "status", "evidence", "matched_signals", "uncertain"} <= set(point)
    assert {"text", "start_char", "end_char", "start", "end"} <= set(point["evidence"][0])
    assert {"overall", "dimensions"} <= set(d["score"])
    assert {"strengths", "gaps", "coaching", "outline"} <= set(d["feedback"])
    assert 0 <= d["score"]["overall"] <= 100
    used = {t["term"] for t in d["insights"]["domain_terms_used"]}
    assert {"hnsw", "product quantization"} <= {u.lower() for u in used}
    assert d["insights"]["domain_terms_missed"]


def test_repeating_the_question_is_not_knowledge(bank):
    q = question(bank, "mle-two-tower-vs-cross-attention")
    echo = score_answer(q, bank, "Two tower models have two towers, because of the two tower design. "
                                 "Cross attention uses cross attention, so it is cross attention.")
    statuses = {p.id: p.status for p in echo.rubric}
    assert statuses["two-tower"] == PARTIAL and statuses["cross-attention"] == PARTIAL


def test_hedges_and_repeated_words_in_insights(bank):
    q = question(bank, "mle-cold-start-new-users")
    text = ("I guess I'd maybe show popular tweets. Popular tweets are, kind of, a safe default, I think. "
            "Probably popular content by region. I'm not sure about the bandit part, hopefully it works.")
    ins = score_answer(q, bank, text).insights
    assert ins.hedges == {"i guess": 1, "i'm not sure": 1, "i think": 1, "hopefully": 1, "kind of": 1,
                          "maybe": 1, "probably": 1}
    assert ins.repeated_words[0] == {"word": "popular", "count": 3}


def test_an_llm_judge_is_asked_and_validated_but_the_bundled_model_never_moves_the_score(llm):
    """The judge path with the real bundled model: it answers in the schema, and at 135M it is not blended."""
    from mockloop.engine.bank import load_banks
    from mockloop.engine.scoring.llm_judge import LLMJudge, judge_for
    from mockloop.engine.scoring.scorer import JudgeRequest, apply_judge

    bank, question = load_banks().find("mle-spam-class-imbalance")
    text = "I'd look at precision and recall, because accuracy is meaningless when spam is one tweet in a thousand."
    plain = score_answer(question, bank, text)
    assert judge_for(llm) is None  # the app never builds a judge from the bundled model
    judge = LLMJudge(llm, seconds=120)  # generous: this checks the answer's form, not speed
    request = JudgeRequest(question.text, question.kind.value, tuple(plain.score.dimensions),
                           [{"id": p.id, "point": p.point, "dimension": p.dimension, "status": p.status} for p in plain.rubric],
                           list(question.outline), text)
    scores = judge(request)
    assert set(scores) == set(plain.score.dimensions) and all(0 <= v <= 100 for v in scores.values())
    judged = score_answer(question, bank, text, judge=judge)
    assert judged.score.overall == plain.score.overall
    assert judged.score.judge["used"] is False and "too small" in judged.score.judge["reason"]
    big = LLMJudge(llm, seconds=120)
    big.n_parameters = 7_000_000_000  # the blend as a 7B model would get it, with this model's real reply
    blended = apply_judge(score_answer(question, bank, text).score, big, request)
    assert blended.judge["used"] is True and blended.judge["scores"] and blended.overall is not None


def test_domain_terms_used_are_the_ones_said():
    """The transcript of the old Feedback screenshot, which listed "Domain terms you used: none"."""
    from mockloop.engine.bank import load_banks

    bank, question = load_banks().find("mle-spam-class-imbalance")
    said = ("Okay, so for spam detection, the classes are really imbalanced. um, only a tiny fraction of accounts or "
            "bots. So accuracy is useless here and I would look at precision and recall instead. up for the model. I "
            "would start with logistic regression on account features like the age of the account, the posting rate, "
            "and how many people follow it back. Then, you know, I would try gradient boosting and I would tune the "
            "threshold base on the cost of a false positive because blocking a real user is really bad. I would "
            "compare graph sage embeddings with node 2 -Vek for link prediction.")
    used = [t["term"].lower() for t in score_answer(question, bank, said).insights.domain_terms_used]
    for term in ("precision", "recall", "threshold", "logistic regression", "gradient boosting", "false positive",
                 "link prediction"):
        assert any(term in u for u in used), (term, used)
    assert "focal loss" not in used and "smote" not in used  # named nowhere in the answer
