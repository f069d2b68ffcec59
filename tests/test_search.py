"""The search index's inverted index: every word lists exactly the documents that hold it."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digestgen import _postings
from digestgen._postings import entries

# Indexed words are [0-9a-z]+ (search.words()); words longer than twelve characters are
# numbered another way than shorter ones, so both kinds, and their shared prefixes, matter.
_WORD = st.text("0123456789abcdez", min_size=1, max_size=16)
_DOCUMENT = st.lists(_WORD, max_size=12, unique=True).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DOCUMENT, max_size=30))
@example([])
@example(["", ""])
@example(["abcdefghijklmnop"])  # only long words
@example(["a", "b", "", "", "c"])  # chunks of documents without words
@example(["a", "", ""])  # the last chunk without words
@example(["abcdefghijkl abcdefghijklm abcdefghijk", "", "0 9 a z zz0"])
@example(["zzzzzzzzzzzz 000000000000"])  # the largest and smallest twelve-character numbers
def test_every_word_lists_the_documents_that_hold_it_in_word_order(texts: list[str]):
    terms = entries(texts)
    with pytest.MonkeyPatch.context() as small:  # documents read, words numbered and listed in many chunks
        small.setattr(_postings, "_DOCUMENTS", 2)
        small.setattr(_postings, "_CHUNK", 3)
        small.setattr(_postings, "_WORDS", 2)
        assert list(entries(texts).items()) == list(terms.items())

    expected = {}
    for number, text in enumerate(texts):
        for word in text.split():
            expected.setdefault(word, []).append(number)
    assert list(terms) == sorted(expected)
    for word, entry in terms.items():
        name, _, listed = entry.partition(":")
        assert json.loads(name) == word
        deltas = json.loads(listed)
        numbers = [sum(deltas[:k + 1]) for k in range(len(deltas))]
        assert numbers == expected[word], word


def test_a_big_site_numbers_documents_past_ten_thousand():
    # document numbers of five digits and their deltas, cut out of one long string
    texts = [f"common w{n % 7} {'rare' if n in (3, 10_004) else ''}".strip() for n in range(10_010)]
    terms = entries(texts)
    assert terms["rare"] == '"rare":[3,10001]'
    assert terms["common"] == '"common":[0' + ",1" * 10_009 + "]"
    assert terms["w6"].startswith('"w6":[6,7,7')
