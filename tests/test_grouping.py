"""User-visible behaviour of digestgen.grouping on small invented articles."""
from __future__ import annotations

import pickle
import random
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from digestgen.grouping import Document, Features, Grouping, GroupingSettings, group, prepare

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)


def doc(title: str, text: str = "", source: str = "Wire", days: float | None = 0) -> Document:
    return Document(title=title, text=text, source=source,
                    date=None if days is None else T0 + timedelta(days=days))


CHILE_A = doc(
    "Strong earthquake shakes central Chile, killing at least 12",
    "A magnitude 7.4 earthquake struck central Chile on Monday, killing at least 12 people "
    "and toppling buildings in Valparaiso, officials said. The quake was centred 40 km off "
    "the coast near Valparaiso at a depth of 25 km. Chile's emergency office Onemi ordered "
    "coastal evacuations for several hours. President Boric flew to Valparaiso, where "
    "rescuers searched collapsed homes in the hillside neighbourhoods.",
    source="Daily Planet",
)
CHILE_B = doc(
    "Deadly 7.4 quake hits Chile near Valparaiso",
    "Rescuers in Valparaiso dug through rubble on Monday after a 7.4-magnitude earthquake "
    "killed 12 people in central Chile. Onemi, the national emergency agency, lifted a "
    "tsunami warning for the coast in the afternoon. Boric said the government would send "
    "soldiers to help. Photo: a damaged church in Valparaiso. Tweet with a location",
    source="Gazette",
    days=0.3,
)
CHILE_HEADLINE = doc("Chile earthquake: Valparaiso death toll rises to 12 after 7.4 quake",
                     source="Aggregator", days=0.5)
JAPAN = doc(
    "Earthquake of magnitude 6.8 strikes northern Japan",
    "A magnitude 6.8 earthquake struck off Aomori prefecture in northern Japan on Thursday, "
    "injuring five people and halting bullet trains, the Japan Meteorological Agency said. "
    "No tsunami warning was issued. Tohoku Electric said its Higashidori nuclear plant "
    "reported no abnormalities. Trains on the Tohoku Shinkansen line resumed by evening.",
    source="Daily Planet",
    days=31,
)
ROVER_LANDS = doc(
    "NASA rover Perseverance II lands in Jezero crater on Mars",
    "NASA's Perseverance II rover touched down in Jezero crater on Mars on Monday after a "
    "seven-month journey, mission controllers at the Jet Propulsion Laboratory said. "
    "Engineers cheered as the rover's sky crane lowered it to the surface. The rover will "
    "drill Martian rock samples for a later return mission to Earth.",
    source="Science Daily",
)
ROVER_BUDGET = doc(
    "Congress cuts funding for Mars sample return, leaving rover's rocks stranded",
    "House appropriators on Tuesday cut NASA's budget for the Mars sample return mission by "
    "a third, putting at risk plans to bring home the rock cores that the Perseverance II "
    "rover is collecting on Mars. NASA administrator officials warned of layoffs at the Jet "
    "Propulsion Laboratory and said the return of the samples could slip to the 2040s.",
    source="Capitol Report",
    days=60,
)
FOOTBALL = doc(
    "Arsenal beat Chelsea 3-1 to go top of the Premier League",
    "Bukayo Saka scored twice as Arsenal beat Chelsea 3-1 at the Emirates Stadium on Sunday "
    "to move top of the Premier League table. Chelsea pulled one back through Cole Palmer "
    "before Martin Odegaard sealed the win late in the second half.",
    source="Sports Desk",
    days=2,
)
PHONE = doc(
    "Samsung unveils foldable Galaxy phone with larger battery",
    "Samsung Electronics unveiled its latest foldable Galaxy smartphone in Seoul on "
    "Wednesday, with a larger battery, a lighter hinge and a price cut aimed at Apple's "
    "iPhone buyers. Pre-orders open next week in South Korea and the United States.",
    source="Tech Wire",
    days=1,
)

DOCS = [CHILE_A, JAPAN, FOOTBALL, CHILE_B, ROVER_LANDS, PHONE, CHILE_HEADLINE, ROVER_BUDGET]


def story_of(result: Grouping, i: int) -> int:
    return next(s for s, members in enumerate(result.stories) if i in members)


def topic_of(result: Grouping, i: int) -> int:
    s = story_of(result, i)
    return next(t for t, members in enumerate(result.topics) if s in members)


@pytest.fixture(scope="module")
def result() -> Grouping:
    return group(DOCS)


def test_two_outlets_versions_of_one_event_form_one_story(result):
    assert story_of(result, DOCS.index(CHILE_A)) == story_of(result, DOCS.index(CHILE_B))


def test_same_kind_different_incident_stays_apart(result):
    assert story_of(result, DOCS.index(CHILE_A)) != story_of(result, DOCS.index(JAPAN))


def test_headline_only_item_joins_its_full_text_story(result):
    assert story_of(result, DOCS.index(CHILE_HEADLINE)) == story_of(result, DOCS.index(CHILE_A))


def test_unrelated_articles_do_not_join(result):
    chile = story_of(result, DOCS.index(CHILE_A))
    for other in (FOOTBALL, PHONE, ROVER_LANDS):
        assert story_of(result, DOCS.index(other)) != chile
    assert story_of(result, DOCS.index(FOOTBALL)) != story_of(result, DOCS.index(PHONE))
    assert len(result.stories[story_of(result, DOCS.index(FOOTBALL))]) == 1


def test_topic_links_two_stories_of_one_ongoing_topic_without_merging_them(result):
    lands, budget = DOCS.index(ROVER_LANDS), DOCS.index(ROVER_BUDGET)
    assert story_of(result, lands) != story_of(result, budget)
    assert topic_of(result, lands) == topic_of(result, budget)
    assert topic_of(result, lands) != topic_of(result, DOCS.index(FOOTBALL))


def test_result_is_a_well_formed_partition(result):
    flat = sorted(i for members in result.stories for i in members)
    assert flat == list(range(len(DOCS)))
    for members in result.stories:
        assert list(members) == sorted(members)
    assert [m[0] for m in result.stories] == sorted(m[0] for m in result.stories)
    assert sorted(s for t in result.topics for s in t) == list(range(len(result.stories)))
    for members in result.topics:
        assert list(members) == sorted(members)
    assert [t[0] for t in result.topics] == sorted(t[0] for t in result.topics)


def test_representative_is_a_titled_member_of_its_story(result):
    assert len(result.representative) == len(result.stories)
    for rep, members in zip(result.representative, result.stories):
        assert rep in members
        assert DOCS[rep].title


def test_representative_prefers_a_titled_member():
    untitled = doc("", CHILE_A.text, source="No Headline Wire")
    res = group([untitled, CHILE_A, CHILE_B])
    assert res.stories == ((0, 1, 2),)
    assert res.representative[0] != 0


def test_a_two_version_story_is_headed_by_its_earliest_report_whatever_the_order():
    """Both versions of a two-article story are exactly as close to its centre: the headline
    is the first report's, not the first file's (renaming files changed headlines)."""
    first, later = replace(CHILE_A, date=T0), replace(CHILE_B, date=T0 + timedelta(hours=5))
    for docs in ([first, later], [later, first]):
        res = group(docs)
        assert len(res.stories) == 1
        assert docs[res.representative[0]] is first


def test_on_a_small_site_versions_that_share_no_telling_word_still_meet():
    """Articles are compared only with those sharing one of their most telling words; a match
    report and its sketch-writer's version ("Arsenal beat Chelsea", "Gunners sink Blues")
    share none of their top dozen, yet are alike enough to be one story. A small site can
    afford to compare them: it looks further down each article's words."""
    report = Document(
        "Arsenal beat Chelsea 3-1 as Saka double keeps title hopes alive",
        "Bukayo Saka scored twice as Arsenal beat Chelsea 3-1 at the Emirates Stadium on Sunday to move within a point "
        "of the Premier League leaders. Saka opened the scoring after 12 minutes with a curling shot, and Kai Havertz "
        "made it 2-0 against his former club before half-time. Cole Palmer pulled one back from the penalty spot, but "
        "Saka sealed the win in stoppage time. Mikel Arteta praised his side's intensity.",
        "ESPN", T0, url="https://www.espn.com/soccer/report/_/gameId/1234/chelsea-arsenal")
    sketch = Document(
        "Gunners sink Blues: Havertz haunts old club in London derby",
        "The north London side were too sharp for Mauricio Pochettino's team in a lopsided derby at the Emirates. The "
        "England winger curled in the opener early on, Havertz nodded in against the side that sold him, and after "
        "Palmer's spot-kick gave the visitors brief hope, the winger struck again deep into added time. Arteta's men "
        "sit a point off the summit.",
        "The Guardian", T0 + timedelta(hours=1),
        url="https://www.theguardian.com/football/2024/mar/10/arsenal-chelsea-premier-league-match-report")
    assert group([report, sketch]).stories == ((0, 1),)


def test_a_headline_that_says_nothing_of_the_story_does_not_head_it():
    """A live blog sums up every version, so it is the closest to the story's centre; its
    headline, "Live updates", says nothing of the story, and would be its title and address."""
    blog = doc("Live updates", CHILE_A.text + " " + CHILE_B.text, source="Live Desk", days=0.1)
    for docs in ([blog, CHILE_A, CHILE_B], [CHILE_A, CHILE_B, blog]):
        res = group(docs)
        assert len(res.stories) == 1
        assert docs[res.representative[0]].title != "Live updates"


def partition(docs, res):
    """The partition as a set of frozensets of documents (order-free)."""
    return {frozenset(docs[i] for i in members) for members in res.stories}


def test_shuffled_input_gives_the_same_partition():
    base = group(DOCS)
    for seed in range(5):
        shuffled = DOCS[:]
        random.Random(seed).shuffle(shuffled)
        again = group(shuffled)
        assert partition(shuffled, again) == partition(DOCS, base)
        assert again == group(shuffled)  # and identical output for identical input


def test_empty_and_single_inputs():
    assert group([]) == Grouping(stories=(), representative=(), topics=())
    one = group([FOOTBALL])
    assert one == Grouping(stories=((0,),), representative=(0,), topics=((0,),))


def test_documents_without_words_or_dates_are_handled():
    empty = Document(title="", text="", source="X", date=None)
    res = group([empty, empty, CHILE_A, doc("!!!", "...", days=None)])
    assert sorted(i for m in res.stories for i in m) == [0, 1, 2, 3]


def test_threshold_controls_merging():
    strict = group(DOCS, GroupingSettings(threshold=0.95, related_threshold=0.95))
    assert len(strict.stories) == len(DOCS)
    loose = group(DOCS, GroupingSettings(threshold=0.01, related_threshold=0.01))
    assert len(loose.stories) < len(strict.stories)


def test_prepared_features_give_the_same_grouping():
    """The build computes prepare() in worker processes and caches it; group()
    on documents carrying those features must equal group() computing them."""
    prepared = [replace(d, features=prepare(d.title, d.text)) for d in DOCS]
    assert group(prepared) == group(DOCS)
    mixed = [d if i % 2 else prepared[i] for i, d in enumerate(DOCS)]
    assert group(mixed) == group(DOCS)


def test_prepare_depends_on_one_document_only_and_survives_pickling():
    features = prepare(CHILE_A.title, CHILE_A.text)
    assert isinstance(features, Features)
    assert pickle.loads(pickle.dumps(features)) == features
    group(DOCS)  # other documents seen in between change nothing
    assert prepare(CHILE_A.title, CHILE_A.text) == features
    assert prepare("", "") == prepare("", "")
    assert prepare(CHILE_A.title, CHILE_A.text) != prepare(JAPAN.title, JAPAN.text)


def test_import_stays_light():
    """`import digestgen.grouping` (done by every build, also the no-op one)
    must not pull in numpy or scipy; only group() does."""
    code = "import sys, digestgen.grouping; sys.exit(any(m in sys.modules for m in ('numpy', 'scipy')))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_headline_fragments_of_one_story_come_together():
    """Headline-only feeds: versions of one story that share no word with each
    other (0 and 3 here) still form one story through the headlines between
    them, while other stories stay apart."""
    headlines = [doc(t, days=None) for t in (
        "Titanfall beta opens on Xbox One and PC",
        "Titanfall review: Respawn's mech shooter lives up to the hype",
        "Respawn confirms Titanfall install size of 48GB on PC",
        "Respawn's mech shooter tops UK sales chart",
        "Libya's parliament ousts prime minister over rebel oil tanker",
        "Stacy Keibler marries Jared Pobre in Mexico",
        "Colorado collects $2 million in marijuana taxes",
        "Sbarro files for bankruptcy again",
        "Tanker with Libyan rebel oil slips past navy",
    )]
    res = group(headlines)
    assert (0, 1, 2, 3) in res.stories
    assert (4, 8) in res.stories
    assert len(res.stories) == 5


def test_a_chain_of_look_alikes_does_not_collapse_in_one_round():
    """Agglomeration links each cluster to its nearest one; a link counts only
    when it is mutual or goes to a bigger cluster.  Here 0~1 are close, 1~2
    loosely alike through one shared term and 0, 2 share nothing: plain
    nearest-neighbour linking would chain all three, but 2 is far from the
    centroid of {0, 1} and stays apart."""
    import numpy as np
    import scipy.sparse as sp

    from digestgen.grouping._cluster import agglomerate

    x = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 0.6, 0.8]]))
    edges = np.array([0, 0, 1]), np.array([1, 2, 2])
    labels = agglomerate(x, *edges, np.arange(3), threshold=0.3)
    assert labels[0] == labels[1] != labels[2]
    # a fragment close to the story's centroid still joins it
    x = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.6, 0.8, 0.0]]))
    labels = agglomerate(x, *edges, np.arange(3), threshold=0.3)
    assert labels[0] == labels[1] == labels[2]


def _pair_cases():
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    short = sp.random(60, 400, density=0.01, format="csr", random_state=1)
    long = sp.random(40, 400, density=0.8, format="csr", random_state=2)
    i, j = rng.integers(0, 60, 2000), rng.integers(0, 40, 2000)
    return ((short, long, i, j), (long, short, j, i), (short, short, i, i[::-1]))


def test_pair_cosines_match_the_dense_products_on_both_paths():
    """Rows of similar length take scipy's merge, very unequal ones the
    binary-search walk; both must give the exact dot products."""
    import numpy as np

    from digestgen.grouping._candidates import pair_cosines

    for a, b, ia, jb in _pair_cases():
        expected = np.asarray(a[ia].multiply(b[jb]).sum(axis=1)).ravel()
        assert np.allclose(pair_cosines(a, b, ia, jb), expected, rtol=0, atol=1e-12)


def test_merging_cluster_rows_gives_the_very_floats_of_summing_them_all_again():
    """Agglomeration sums only the rows of clusters that merged in a round and moves the
    rest: rows, order and floats must be those of the full product, or grouping output
    would depend on how many rounds it took."""
    import numpy as np
    import scipy.sparse as sp

    from digestgen.grouping._cluster import _merge_rows, _row_sq, membership

    rng = np.random.default_rng(3)
    sums = sp.random(40, 300, density=0.08, format="csr", random_state=rng)
    sums.data = rng.standard_normal(sums.data.size) / 7.0  # sums of floats round differently by order
    for remap in (np.arange(40), rng.integers(0, 25, 40), np.repeat(np.arange(8), 5), np.zeros(40, np.int64)):
        remap = np.unique(remap, return_inverse=True)[1].ravel()
        k = int(remap.max()) + 1
        merged = np.bincount(remap, minlength=k) > 1
        expected = (membership(remap, k) @ sums).tocsr()
        expected.sort_indices()
        got, sq = _merge_rows(sums.copy(), _row_sq(sums), remap, k, merged)
        assert np.array_equal(got.indptr, expected.indptr)
        assert np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)
        assert np.array_equal(sq, _row_sq(expected))


@pytest.mark.parametrize("threads", [1, 2])
def test_pair_cosines_do_not_depend_on_chunks_or_threads(monkeypatch, threads):
    """Scoring in many small chunks, on one thread or two, must give the
    very same floats as one chunk: grouping output is byte-for-byte."""
    import numpy as np

    from digestgen.grouping import _candidates, _threads

    whole = [_candidates.pair_cosines(a, b, ia, jb) for a, b, ia, jb in _pair_cases()]
    monkeypatch.setattr(_candidates, "_MERGE_NNZ", 300)
    monkeypatch.setattr(_candidates, "_PAIR_CHUNK", 50)
    monkeypatch.setattr(_threads, "THREADS", threads)
    for expected, (a, b, ia, jb) in zip(whole, _pair_cases()):
        assert np.array_equal(_candidates.pair_cosines(a, b, ia, jb), expected)


def test_the_words_of_an_article_address_count():
    """A scraped feed item whose headline is debris joins its story through its URL's slug,
    and only through it; dates, ids and the site's own path words do not count."""
    stories = [doc(t, days=None) for t in (
        "Chrysler to hire 1,000 part-time workers at Toledo Jeep plant",
        "Jeep plant in Toledo adds part-time jobs",
        "Sbarro files for bankruptcy again",
        "Stacy Keibler marries Jared Pobre in Mexico",
    )]
    debris = doc("(click the phrases to see a list)", days=None)
    slug = "http://example.com/view/story/6924426c31ba487887ed290415d95530/OH--Jeep-Plant-Part-time-Workers/"
    with_url = group([*stories, replace(debris, url=slug)])
    without = group([*stories, debris])
    assert (0, 1, 4) in with_url.stories
    assert (4,) in without.stories
    assert prepare("t", "", "https://x.org/2014/03/10/a1b2c3/index.html?q=jeep") == prepare("t", "")


def _invented_words(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))
            for _ in range(count)]


def _two_beats() -> tuple[list[str], list[str]]:
    """Forty full texts on beat A, forty on beat B, and three headlines: two
    from beat A that share no word, one from beat B."""
    rng = random.Random(7)
    beat_a, beat_b, other = _invented_words(rng, 10), _invented_words(rng, 10), _invented_words(rng, 400)
    texts = [" ".join(beat * 3 + rng.sample(other, 70)) for beat in (beat_a, beat_b) for _ in range(40)]
    return texts, [" ".join(words) for words in (beat_a[:3], beat_a[5:8], beat_b[:3])]


def test_shuffled_input_gives_the_same_partition_with_headlines_among_full_texts():
    """The latent dimensions short texts take come from a sample of articles
    chosen by their words, not their order: each article gets the very same
    latent vector (to the last bit) however the input is ordered."""
    import numpy as np

    from digestgen.grouping._latent import article_keys, latent_vectors
    from digestgen.grouping._text import vectorize

    def latent(docs):
        features = [prepare(d.title, d.text) for d in docs]
        return latent_vectors(vectorize(features), 10, article_keys(features))[0]

    texts, headlines = _two_beats()
    docs = [doc("", text, days=i % 5) for i, text in enumerate(texts)] + [doc(title) for title in headlines]
    base = group(docs)
    vectors = latent(docs)
    for seed in range(3):
        order = list(range(len(docs)))
        random.Random(seed).shuffle(order)
        shuffled = [docs[i] for i in order]
        assert partition(shuffled, group(shuffled)) == partition(docs, base)
        assert np.array_equal(latent(shuffled), vectors[order])


def test_an_edit_to_one_article_leaves_the_latent_sample_and_start_as_they_were():
    """The latent directions are learnt from a sample of the articles, from a random start.
    A one-word edit changes every row's weights a little (idf); it must not draw another
    sample or another start, which turned every headline's latent vector and moved
    articles of stories the edit never touched."""
    import numpy as np

    from digestgen.grouping._latent import _probe, _sample, article_keys

    texts, headlines = _two_beats()
    features = [prepare("", text) for text in texts] + [prepare(title, "") for title in headlines]
    edited = list(features)
    edited[5] = prepare("", texts[5] + " zuzuzuzu")
    before, after = article_keys(features), article_keys(edited)
    assert np.array_equal(np.delete(before, 5), np.delete(after, 5))  # keys: each article's own words
    for limit in (30, 200):
        old, new = _sample(before, limit), _sample(after, limit)
        assert len(set(old) ^ set(new)) <= 2  # at most the edited article and the one it displaced
        kept = [i for i in old if i in set(new) and i != 5]
        starts = dict(zip(old, _probe(before[old], 8))), dict(zip(new, _probe(after[new], 8)))
        assert all(np.array_equal(starts[0][i], starts[1][i]) for i in kept)


def test_headlines_sharing_no_word_are_alike_when_their_words_go_together_elsewhere():
    """Forty full texts use the words of beat A together, forty those of beat B,
    each among seventy other words.
    Two headlines from beat A that share no word become alike (the site's
    articles show their words go together); one from beat B does not; and
    the full texts' own vectors are left as they were."""
    import numpy as np

    from digestgen.grouping._latent import article_keys, with_latent
    from digestgen.grouping._text import vectorize

    texts, headlines = _two_beats()
    docs = [prepare("", text) for text in texts]
    headlines = [prepare(title, "") for title in headlines]
    raw = vectorize(docs + headlines)
    x = with_latent(raw, raw, article_keys(docs + headlines))

    def cosine(m, i, j):
        return float(m[i].multiply(m[j]).sum())

    a1, a2, b1 = len(docs), len(docs) + 1, len(docs) + 2
    assert cosine(raw, a1, a2) == 0.0
    assert cosine(x, a1, a2) > 0.15      # the default story threshold
    assert cosine(x, a1, b1) < 0.05
    full_texts = x[: len(docs)]
    assert full_texts.shape[1] > raw.shape[1]
    assert np.array_equal(full_texts[:, raw.shape[1]:].toarray(), np.zeros((len(docs), full_texts.shape[1] - raw.shape[1])))
    assert np.allclose(full_texts[:, : raw.shape[1]].toarray(), raw[: len(docs)].toarray(), rtol=0, atol=1e-12)


def test_no_latent_vectors_are_computed_for_full_texts_alone(monkeypatch):
    from digestgen.grouping import _latent
    from digestgen.grouping._text import vectorize

    def refuse(*args):
        raise AssertionError("computed latent vectors for full texts")

    monkeypatch.setattr(_latent, "latent_vectors", refuse)
    rng = random.Random(3)
    features = [prepare("", " ".join(_invented_words(rng, 80))) for _ in range(5)]
    raw = vectorize(features)
    assert _latent.with_latent(raw, raw, _latent.article_keys(features)) is raw


@pytest.mark.parametrize("threads", [1, 2])
def test_top_terms_keeps_each_rows_heaviest_terms(monkeypatch, threads):
    import numpy as np
    import scipy.sparse as sp

    from digestgen.grouping import _threads
    from digestgen.grouping._text import top_terms

    monkeypatch.setattr(_threads, "THREADS", threads)
    x = sp.random(31, 500, density=0.1, format="csr", random_state=4)
    x.data[::7] = 0.5  # ties, broken by term id
    kept = top_terms(x, 8)
    for row in range(x.shape[0]):
        start, stop = x.indptr[row], x.indptr[row + 1]
        ranked = sorted(zip(-x.data[start:stop], x.indices[start:stop]))[:8]
        assert sorted(kept[row].indices) == sorted(int(c) for _, c in ranked)
        assert np.array_equal(kept[row].toarray(), x[row].multiply(kept[row] != 0).toarray())


def test_grouping_leaves_no_thread_behind(monkeypatch):
    """The build forks its rendering workers only from a single-threaded process
    (site._make_all), so grouping's threads must all have ended when it returns."""
    import threading

    from digestgen.grouping import _threads

    shared = []
    real = _threads.in_threads
    monkeypatch.setattr(_threads, "THREADS", 2)
    monkeypatch.setattr(_threads, "in_threads", lambda fn, items: shared.append(len(items)) or real(fn, items))
    texts, headlines = _two_beats()
    before = threading.active_count()
    group([doc("", text) for text in texts] + [doc(title) for title in headlines])
    assert max(shared) >= 2  # work was shared out
    assert threading.active_count() == before


def test_only_short_texts_borrow_their_neighbours_words():
    """In a busy week dates no longer keep same-beat events apart, and full texts lending each
    other words glued them together; a headline still borrows its story's vocabulary."""
    import numpy as np

    from digestgen.grouping._candidates import pair_cosines
    from digestgen.grouping._pipeline import _days
    from digestgen.grouping._smooth import smooth
    from digestgen.grouping._text import vectorize

    texts, headlines = _two_beats()
    docs = [doc("", text) for text in texts] + [doc(title) for title in headlines]
    raw = vectorize([prepare(d.title, d.text) for d in docs])
    n = len(docs)
    i, j = np.triu_indices(n, 1)
    smoothed = smooth(raw, i, j, pair_cosines(raw, raw, i, j), 0.15, _days(docs))
    full = len(texts)
    assert np.allclose(smoothed[:full].toarray(), raw[:full].toarray(), rtol=0, atol=1e-12)
    headline_terms = set(raw[full].indices)
    assert set(smoothed[full].indices) > headline_terms  # borrowed its beat's words


def _busy_week(rng: random.Random) -> list[Document]:
    """Thirty unrelated full texts, then two events of one beat two days apart,
    three outlets' versions each: every version uses 30 of the beat's 40
    words, all 25 of its event's own, and 30 words of its own."""
    beat, other = _invented_words(rng, 40), _invented_words(rng, 2000)
    docs = [doc("", " ".join(rng.sample(other, 80)), days=i % 7) for i in range(30)]
    for day, event in ((2, _invented_words(rng, 25)), (3, _invented_words(rng, 25))):
        docs += [doc("", " ".join(rng.sample(beat, 30) + event + rng.sample(other, 30)),
                     source=outlet, days=day) for outlet in ("A", "B", "C")]
    return docs


def test_two_events_of_one_beat_in_one_week_stay_two_stories(monkeypatch):
    """Their clusters' centroids are close (the beat's words), but each event's versions are
    far more alike among themselves than to the other's: two stories, not one."""
    from digestgen.grouping import _cohesion

    docs = _busy_week(random.Random(0))
    events = [s for s in group(docs).stories if min(s) >= 30]
    assert events == [(30, 31, 32), (33, 34, 35)]
    # without the cohesion rule the beat's words alone would merge them
    monkeypatch.setattr(_cohesion, "COHESION", 0.0)
    assert [s for s in group(docs).stories if min(s) >= 30] == [(30, 31, 32, 33, 34, 35)]


def test_reprints_do_not_make_their_cluster_refuse_their_storys_other_versions(monkeypatch):
    """Three reprints of one wire text are alike by copying: the cohesion rule compares the
    other outlets' versions with the versions' own spread, not with the copies'."""
    import numpy as np
    import scipy.sparse as sp

    from digestgen.grouping import _cohesion
    from digestgen.grouping._candidates import pair_cosines

    def unit(*rows):
        m = np.array(rows, float)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    # one story in two clusters: a wire text, two reprints (cosine 0.99) and a
    # rewrite (0.3 to them); and two rewrites alike at 0.6, from one press release
    x = sp.csr_matrix(unit([1, 0, 0, 0, 0], [1, 0, 0, 0, 0.1], [1, 0, 0, 0, -0.1],
                           [0.3, 0.95, 0, 0, 0],
                           [0.3, 0.1, 0.7**0.5, 0.2**0.5, 0], [0.3, 0.1, 0.7**0.5, -0.2**0.5, 0]))
    labels = np.array([0, 0, 0, 0, 1, 1])
    i, j = np.triu_indices(6, 1)
    sums = (sp.csr_matrix((np.ones(6), (labels, np.arange(6))), shape=(2, 6)) @ x).toarray()
    size, sq, dot = np.array([4.0, 2.0]), (sums**2).sum(axis=1), np.array([sums[0] @ sums[1]])
    a, b = np.array([0]), np.array([1])

    def full_texts(cohesion):  # rows of five terms would count as headlines
        return replace(cohesion, fullness=np.ones(6))

    cohesion = full_texts(_cohesion.Cohesion.of(x, x, i, j, pair_cosines(x, x, i, j)))
    assert cohesion.dup_i.size == 3  # the three copies pair up
    assert cohesion.factor(labels, 2, size, sq, dot, a, b)[0] == 1.0
    # counted as three versions, the copies would make their cluster refuse the rewrites
    monkeypatch.setattr(_cohesion, "DUPLICATE", 1.01)
    counted = full_texts(_cohesion.Cohesion.of(x, x, i, j, pair_cosines(x, x, i, j)))
    assert counted.factor(labels, 2, size, sq, dot, a, b)[0] < 0.9


def test_reports_in_scripts_written_without_spaces_group_by_their_words():
    """Chinese and Japanese put no spaces between words, so each sentence of a report would
    be one long word of its own, shared with no other report. Pairs of characters stand in
    for words there (as search engines index these scripts): the versions of one event come
    together, and two events stay apart, whatever else is on the site."""
    taiwan_quake = [
        doc("台湾花莲发生7.4级强烈地震",
            "台湾东部花莲县周三早晨发生里氏7.4级强烈地震，造成至少9人死亡，多栋建筑倒塌，台北震感强烈。", source="新华社"),
        doc("花莲强震致9死逾千人受伤",
            "周三上午台湾花莲外海发生7.4级地震，是25年来最强的一次，已造成9人死亡、上千人受伤，救援仍在进行。",
            source="联合早报", days=0.2),
        doc("台湾花莲7.4级地震 大楼倾斜多人受困",
            "台湾花莲周三发生7.4级强烈地震，市区一栋大楼严重倾斜，消防人员正在搜救受困民众，地震已造成9人死亡。",
            source="BBC中文", days=0.3),
    ]
    rate_rise = [
        doc("日本银行十七年来首次加息", "日本央行周二宣布结束负利率政策，这是该行17年来首次加息，日元汇率随即波动。", source="新华社"),
        doc("日本央行结束负利率 为17年来首次加息",
            "日本银行周二决定将短期利率从负0.1%上调至0到0.1%之间，结束了持续八年的负利率政策。", source="联合早报", days=0.1),
    ]
    noto_quake = [
        doc("能登半島で震度7の地震 石川県で大きな被害",
            "1日午後4時10分ごろ、石川県能登地方を震源とする最大震度7の地震があった。輪島市などで建物の倒壊や火災が相次いだ。",
            source="NHK"),
        doc("石川・能登で震度7 輪島で火災、建物倒壊",
            "元日の午後4時10分ごろ、能登半島で震度7の激しい揺れを観測した。輪島市では大規模な火災が発生し、多くの建物が倒壊した。",
            source="朝日新聞", days=0.1),
    ]
    result = group([*taiwan_quake, *rate_rise, *noto_quake, CHILE_A, CHILE_B])
    assert sorted(map(sorted, result.stories)) == [[0, 1, 2], [3, 4], [5, 6], [7, 8]]


def test_unspaced_scripts_become_pairs_of_characters_and_other_words_stay_whole():
    from digestgen.grouping._features import tokenize

    assert tokenize("台湾花莲县, Apple发布iPhone。日本") == ["台湾", "湾花", "花莲", "莲县", "apple", "发布", "iphone", "日本"]
    assert tokenize("서울에서 «Café» €5 déjà-vu") == ["서울", "울에", "에서", "café", "€5", "déjà", "vu"]
    # every script's punctuation separates words, as ASCII's does
    assert tokenize("„Merkel“ sagte: ¿Qué pasó? القاهرة، दिल्ली। 东京，大阪") == [
        "merkel", "sagte", "qué", "pasó", "القاهرة", "दिल्ली", "东京", "大阪"]
    assert tokenize("Quake hits Chile — 12 dead") == ["quake", "hits", "chile", "12", "dead"]


def test_two_quakes_of_one_week_reported_in_briefs_stay_two_stories(tmp_path):
    """Wire briefs of a quake in Peru and of another in Turkey two days later share the
    vocabulary of every quake; each quake's own reports share far more. A brief has words
    enough to tell them apart (_cohesion), as a full text has."""
    import json
    import shutil

    from conftest import REPO, build_site

    shutil.copytree(REPO / "tests" / "fixtures" / "quakes", tmp_path / "content")
    build_site(tmp_path)
    stories = json.loads((tmp_path / "output" / "digest.json").read_text(encoding="utf-8"))["stories"]
    quakes = [{e["source_path"] for e in s["entries"]} for s in stories if any("peru" in e["source_path"] or "turkey" in e["source_path"] for e in s["entries"])]
    assert sorted(map(sorted, quakes)) == [["live-updates.md", "quake-peru-reuters.md"],
                                           ["nodate-turkey.md", "quake-turkey-aljazeera.md"]]


def test_french_reports_of_two_strikes_on_one_morning_stay_two_stories(tmp_path):
    """Three outlets each on a metro strike and a rail strike of the same Tuesday: French
    function words ("des", "mardi", "très") counted as shared words and made them one story;
    the same articles in English were two."""
    import json
    import shutil

    from conftest import REPO, build_site

    shutil.copytree(REPO / "tests" / "fixtures" / "strikes-fr", tmp_path / "content")
    (tmp_path / "digestgen.toml").write_text('language = "fr"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    build_site(tmp_path)
    stories = json.loads((tmp_path / "output" / "digest.json").read_text(encoding="utf-8"))["stories"]
    assert sorted(sorted(e["source_path"] for e in s["entries"]) for s in stories) == [
        ["ratp1.md", "ratp2.md", "ratp3.md"], ["sncf1.md", "sncf2.md", "sncf3.md"]]


def test_hundreds_of_reprints_of_one_wire_story_are_one_story():
    """Every reprint has the same telling words, each then in more articles' keys than
    candidate generation takes (MAX_POSTINGS): past 400 copies they met no one and became a
    story each."""
    from digestgen.grouping._candidates import MAX_POSTINGS

    copies = [replace(CHILE_A, source=f"Local Paper {k}", url=f"https://paper{k}.example.com/news/chile-quake")
              for k in range(MAX_POSTINGS + 50)]
    others = [doc("Council approves new budget for schools", "The council voted on Tuesday to raise spending.", days=3)]
    res = group(copies + others)
    assert sorted(map(len, res.stories)) == [1, len(copies)]


def test_two_short_texts_sharing_one_common_word_stay_apart_on_a_small_site():
    """A headline whose words lie along none of the latent directions has a latent vector of
    noise; made unit length, two such short texts sharing one everyday word were one story
    ("Apple releases iOS 7.1 update" and a brief on satellite images "released on Monday")."""
    rng = random.Random(5)
    topics = [_invented_words(rng, 12) for _ in range(8)]
    other = _invented_words(rng, 500)
    common = other[0]
    texts = [" ".join(words * 3 + rng.sample(other[1:], 80) + ([common] if rng.random() < 0.3 else []))
             for words in topics for _ in range(4)]
    own = _invented_words(rng, 12)
    docs = [doc("", text, days=i % 3) for i, text in enumerate(texts)]
    docs += [doc(" ".join([common, *own[:4]]), days=None), doc("", " ".join([common, *own[4:10]]) + ". " + " ".join(own[10:]))]
    stories = group(docs).stories
    assert not any({len(docs) - 2, len(docs) - 1} <= set(story) for story in stories)
    assert sum(1 for story in stories if len(story) == 4) == 8  # the eight topics still whole
