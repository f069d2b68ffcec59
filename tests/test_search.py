"""The search index's inverted index: every word lists exactly the documents that hold it."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digestgen import _postings
from digestgen._postings import entries
from digestgen.search import Postings, _postings as search_postings, _sharded, _word_of, _words_in_any_script, words

# Words of [0-9a-z] up to twelve characters long are numbered; longer ones, and words with
# other characters (search.words() takes any script), are listed another way, so all
# kinds, and their shared prefixes, matter.
_WORD = st.text("0123456789abcdezжé台", min_size=1, max_size=16)
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
@example(["台湾 abc", "abc", "ж台 台湾"])  # words in other scripts beside [0-9a-z] ones
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


@settings(max_examples=100, deadline=None)
@given(st.lists(_DOCUMENT, max_size=10))
@example([])
@example([""])
@example(["", ""])
@example(["台湾 abc", "", "ж"])
def test_the_index_kept_for_the_next_build_comes_back_as_it_was(texts: list[str]):
    """The next build patches the postings it unpickles: every document's words and every
    word's entry must come back, in order, empty documents included."""
    postings = Postings(tuple(texts), 1, _sharded(entries(texts), 1))
    again = pickle.loads(pickle.dumps(postings, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.texts == postings.texts
    assert list(again.shards.items()) == list(postings.shards.items())
    assert {_word_of(entry): entry for lines in again.shards.values() for entry in lines.split("\n")} == entries(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DOCUMENT, max_size=8), st.lists(_DOCUMENT, max_size=8), st.sampled_from([1, 2]))
@example(["ab ac"], ["ab", "ba"], 2)  # a shard emptied, another made
@example(["b"], ["b a"], 1)  # a new shard before the others
def test_an_index_patched_for_edited_documents_is_the_one_made_afresh(before: list[str], after: list[str], depth: int):
    """The next build patches the shards the changed documents' words are in: every shard,
    and every entry in it, must be as a fresh index has them, in the same order."""
    patched = search_postings(after, search_postings(before, None, depth), depth)
    fresh = search_postings(after, None, depth)
    assert list(patched.shards.items()) == list(fresh.shards.items())
    assert patched.texts == fresh.texts


def test_a_big_site_numbers_documents_past_ten_thousand():
    # document numbers of five digits and their deltas, cut out of one long string
    texts = [f"common w{n % 7} {'rare' if n in (3, 10_004) else ''}".strip() for n in range(10_010)]
    terms = entries(texts)
    assert terms["rare"] == '"rare":[3,10001]'
    assert terms["common"] == '"common":[0' + ",1" * 10_009 + "]"
    assert terms["w6"].startswith('"w6":[6,7,7')


def test_words_in_every_script_are_folded_and_unspaced_scripts_paired():
    assert words("В МОСКВЕ открылась «станция» №1") == ["в", "москве", "открылась", "станция", "no1"]
    assert words("Bürgermeister in München, déjà vu") == ["burgermeister", "in", "munchen", "deja", "vu"]
    assert words("Ισχυρός σεισμός στην Αθήνα") == ["ισχυρος", "σεισμος", "στην", "αθηνα"]
    assert words("दिल्ली में भारी बारिश।") == ["दिल्ली", "में", "भारी", "बारिश"]  # marks stay in their words
    assert words("台湾花莲县，7.4级地震😀ok") == ["台湾", "湾花", "花莲", "莲县", "74", "级地", "地震", "ok"]  # a number with its point
    assert words("Straßenbahn STRASSE") == ["strassenbahn", "strasse"]  # ß is ss, as Swiss German writes it
    assert words("مَكْتَبَة مكتبة") == ["مكتبة", "مكتبة"]  # Arabic's vowel marks, which most text leaves out


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127)))
def test_ascii_text_takes_a_quicker_way_to_the_same_words(text: str):
    assert words(text) == _words_in_any_script(text)


# Text that mixes ASCII with a few characters beyond it, as news does (curly quotes, accents).
_MIXED = st.text(st.one_of(st.characters(max_codepoint=127), st.sampled_from("’“”—é\u0301\u00a0，。中\ufffe\ud800"),
                           st.characters()))


@settings(max_examples=400, deadline=None)
@given(_MIXED)
@example("„Merkel“ sagte — déjà vu, " + "’" * 30 + "".join(map(chr, range(0x2010, 0x2040))))
def test_punctuation_and_accents_beyond_ascii_are_replaced_as_str_translate_would(text: str):
    """translate_beyond_ascii() replaces characters one distinct character at a time, or
    with str.translate() when there are many: the result is the same either way."""
    from digestgen._scripts import separators, translate_beyond_ascii
    from digestgen.search import _DIACRITICS

    for table in (separators(), _DIACRITICS):
        assert translate_beyond_ascii(text, table) == text.translate(table)


def test_a_site_in_other_scripts_gets_its_words_indexed_under_plain_file_names(tmp_path):
    from conftest import article, build_site, write_site

    root = write_site(tmp_path, {
        "content/moscow.md": article("В Москве открылась новая станция метро", "Мэр открыл станцию.", date="2024-05-06"),
        "content/hualien.md": article("花莲发生强烈地震", "台湾花莲县发生强烈地震。", date="2024-04-03"),
    })
    build_site(root)
    shards = sorted((root / "output" / "static" / "search").glob("terms-*.js"))
    assert shards and all(shard.name.isascii() for shard in shards)  # any host serves them
    listed = "".join(shard.read_text(encoding="utf-8") for shard in shards)
    for word in ("москве", "花莲", "地震"):
        assert f'"{word}":[' in listed, word


def test_a_big_sites_words_are_sharded_by_their_first_two_letters():
    from digestgen.search import shard_of

    assert [shard_of(w) for w in ("election", "e", "sæby", "москве")] == ["e", "e", "s", "u3c"]
    assert [shard_of(w, 2) for w in ("election", "e", "sæby", "москве", "2024")] == ["el", "e", "s", "u3c", "20"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Residents don't want it", ["residents", "dont", "want", "it"]),  # not "don", which begins "Donald"
    ("Trump's plan, Zürich’s mayor", ["trump", "plan", "zurich", "mayor"]),  # a possessive's 's goes
    ("The U.S. and N.A.T.O. met", ["the", "us", "and", "nato", "met"]),  # an abbreviation is a word
    ("A 7.4 quake killed 1,000", ["a", "74", "quake", "killed", "1000"]),  # so is a number with its point
    ("end.Next A. B. Smith", ["end", "next", "a", "b", "smith"]),  # but not words run together, nor initials
])
def test_words_as_a_reader_types_them(text: str, expected: list[str]):
    assert words(text) == expected


def test_a_name_joined_at_its_apostrophe_is_indexed_with_its_parts():
    from digestgen.search import _indexable

    assert _indexable("O’Rourke’s campaign: don't stop") == ["orourke", "campaign", "dont", "stop", "rourke"]
    assert _indexable("l'économie d'abord") == ["leconomie", "dabord", "economie", "abord"]
