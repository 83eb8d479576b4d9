"""LocalAgreement-2, the commit policy of the streaming transcriber, on hand-made hypotheses."""

from __future__ import annotations

from mockloop.engine.speech.local_agreement import LocalAgreement, looks_like_a_loop, word_key
from mockloop.engine.speech.transcript import Word


def words(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    """One word every `step` seconds from `start`, each lasting 0.3 s."""
    return [Word(w, start + i * step, start + i * step + 0.3, 0.9) for i, w in enumerate(text.split())]


def texts(ws: list[Word]) -> list[str]:
    return [w.text for w in ws]


def test_words_compare_without_case_or_punctuation():
    assert word_key("Precision,") == word_key("precision") == "precision"
    assert word_key("don't") == "don't"


def test_a_word_is_committed_once_two_hypotheses_agree_on_it():
    agreement = LocalAgreement()
    assert agreement.insert(words("we could train")) == []  # nothing to agree with yet
    committed = agreement.insert(words("we could try a classifier"))
    assert texts(committed) == ["we", "could"]  # the prefix both hypotheses share
    assert texts(agreement.latest) == ["try", "a", "classifier"]
    committed = agreement.insert(words("we could try a classifier first"))
    assert texts(committed) == ["try", "a", "classifier"]  # committed words are not repeated
    assert texts(agreement.committed_in_buffer) == ["we", "could", "try", "a", "classifier"]


def test_a_word_cut_off_by_the_end_of_the_audio_waits():
    agreement = LocalAgreement()
    agreement.insert(words("use focal loss"))
    hypothesis = words("use focal loss")
    committed = agreement.insert(hypothesis, edge=hypothesis[1].end)  # "loss" ends after the decoded audio
    assert texts(committed) == ["use", "focal"]


def test_without_comparing_the_reference_is_kept():
    agreement = LocalAgreement()
    agreement.insert(words("sample the negatives"))
    assert agreement.insert(words("sample the positives"), compare=False) == []
    assert texts(agreement.latest) == ["sample", "the", "positives"]  # captions follow every decode
    assert texts(agreement.insert(words("sample the negatives"))) == ["sample", "the", "negatives"]


def test_a_hypothesis_repeating_committed_words_is_deduplicated():
    agreement = LocalAgreement()
    agreement.insert(words("precision at recall"))
    agreement.insert(words("precision at recall"))
    assert agreement.last_time == words("precision at recall")[-1].end
    # The next decode starts a little earlier and repeats the last two committed words.
    again = words("at recall matters most", start=0.35)
    assert texts(agreement.final(again)) == ["matters", "most"]


def test_final_commits_the_pending_tail_and_keeps_words_in_order():
    agreement = LocalAgreement()
    agreement.insert(words("the base rate"))
    agreement.insert(words("the base rate is low", step=0.4))
    overlapping = [Word("so", 1.5, 1.9, 0.9), Word("we", 1.95, 2.1, 0.9)]
    agreement.latest = overlapping  # a hypothesis whose first word begins before the last committed word ends
    committed = agreement.final(None)
    assert texts(committed) == ["so", "we"]
    assert committed[0].start >= words("the base rate")[-1].end  # moved after what is committed
    assert agreement.latest == [] and agreement.reference == []


def test_dropping_trimmed_audio_returns_the_words_it_held():
    agreement = LocalAgreement()
    agreement.insert(words("one two three four"))
    agreement.insert(words("one two three four"))
    gone = agreement.drop_before(0.8)
    assert texts(gone) == ["one", "two"]
    assert texts(agreement.committed_in_buffer) == ["three", "four"]


def test_a_decoding_loop_is_recognised_and_speech_is_not():
    assert looks_like_a_loop(words(" ".join(["thank you"] * 15)))
    varied = ("first I would look at the base rate of spam then pick a metric like precision at a fixed "
              "recall because blocking real users is costly and then I would sample hard negatives")
    assert not looks_like_a_loop(words(varied))
    assert not looks_like_a_loop(words("thank you " * 5))  # too short to judge


def test_settling_a_pause_commits_up_to_where_speech_stopped_never_a_trailed_off_guess():
    agreement = LocalAgreement()
    heard = words("before I design anything, how much...")  # Whisper guessing at what comes after the comma
    committed = agreement.settle(heard, edge=heard[3].end + 0.1)
    assert texts(committed) == ["before", "I", "design", "anything,"]
    assert texts(agreement.latest) == ["how", "much..."]  # still open: the next hypothesis decides it
    # Next time, a word that trails off stops the commit even before the edge.
    more = words("before I design anything, how many posts a day... are we", start=0.0)
    committed = agreement.settle(more, edge=99.0)
    assert texts(committed) == ["how", "many", "posts", "a"]
    assert agreement.insert(words("nothing new", start=-5.0)) == []  # what was committed is never taken back
