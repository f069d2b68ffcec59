"""Editor control and stable story URLs, on the pure story-building stage."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from digestgen.config import Config
from digestgen.lock import lock_text
from digestgen.models import Entry, StoryFile, StoryLock
from digestgen.stories import assign_entry_slugs, build_stories


def entry(path: str, title: str, body: str, source: str, day: int, **extra) -> Entry:  # noqa: ANN003
    return Entry(
        source_path=path, title=title, body_html="", paragraphs=(body,), source=source,
        date=datetime(2022, 6, day, 12, tzinfo=timezone.utc), **extra,
    )


FLOOD_A = entry("flood-a.md", "Floods force thousands from homes in Dhaka",
                "Monsoon floods forced thousands of families in Dhaka, Bangladesh from their homes on Monday as rivers burst their banks.", "Wire One", 6)
FLOOD_B = entry("flood-b.md", "Dhaka flooding displaces thousands as rivers burst banks",
                "Thousands of families in Dhaka, Bangladesh, fled monsoon floods on Monday after rivers burst their banks.", "Wire Two", 6)
CHESS = entry("chess.md", "Teenager wins city chess championship",
              "A fifteen-year-old won the city chess championship on Sunday, beating the defending champion in the final round.", "Local Post", 5)
ORCHARD = entry("orchard.md", "Orchard reopens after restoration",
                "The historic walled orchard reopened to visitors after a two-year restoration of its glasshouses and paths.", "Garden Weekly", 4)


def plan(entries, story_files=(), lock=StoryLock()):  # noqa: ANN001, ANN201
    return build_stories(assign_entry_slugs(entries, lock), Config(), story_files, lock)


def members(result) -> dict[str, list[str]]:  # noqa: ANN001
    return {s.slug: sorted(e.source_path for e in s.entries) for s in result.stories}


def test_algorithm_groups_and_the_lock_records_it():
    result = plan([FLOOD_A, FLOOD_B, CHESS])
    assert sorted(members(result).values()) == [["chess.md"], ["flood-a.md", "flood-b.md"]]
    assert result.lock.stories == {slug: tuple(paths) for slug, paths in members(result).items()}


def test_pin_moves_an_entry_into_a_story_and_creates_it_if_needed():
    result = plan([FLOOD_A, FLOOD_B, replace(CHESS, story="weekend-roundup"), replace(ORCHARD, story="weekend-roundup")])
    assert members(result)["weekend-roundup"] == ["chess.md", "orchard.md"]


def test_a_pin_to_a_published_story_joins_it_and_the_story_keeps_its_url():
    first = plan([FLOOD_A, FLOOD_B, CHESS])
    flood_slug = next(slug for slug, paths in members(first).items() if "flood-a.md" in paths)
    second = plan([FLOOD_A, FLOOD_B, CHESS, replace(ORCHARD, story=flood_slug)], lock=first.lock)
    assert members(second)[flood_slug] == ["flood-a.md", "flood-b.md", "orchard.md"]
    assert second.redirects == {}
    # a story file that lists an article for a published story adds it there too
    listed = StoryFile(slug=flood_slug, source_path=f"stories/{flood_slug}.md", title="The floods", entries=("orchard.md",))
    third = plan([FLOOD_A, FLOOD_B, CHESS, ORCHARD], [listed], lock=first.lock)
    assert members(third)[flood_slug] == ["flood-a.md", "flood-b.md", "orchard.md"]
    assert next(s.title for s in third.stories if s.slug == flood_slug) == "The floods"

def test_story_file_sets_title_summary_featured_and_members():
    story_file = StoryFile(slug="monsoon", source_path="stories/monsoon.md", title="The monsoon floods",
                           summary="Our coverage of the floods.", featured=True, entries=("flood-a.md", "chess.md"))
    result = plan([FLOOD_A, FLOOD_B, CHESS, ORCHARD], [story_file])
    first = result.stories[0]
    assert (first.slug, first.title, first.blurb, first.featured) == ("monsoon", "The monsoon floods", "Our coverage of the floods.", True)
    assert members(result)["monsoon"] == ["chess.md", "flood-a.md"]
    assert ["flood-b.md"] in members(result).values()  # the algorithm does the rest


def test_published_slug_survives_edits_and_new_articles():
    first = plan([FLOOD_A, CHESS])
    flood_slug = next(slug for slug, paths in members(first).items() if "flood-a.md" in paths)
    retitled = replace(FLOOD_A, title="Thousands flee as Dhaka floods worsen")
    second = plan([retitled, FLOOD_B, CHESS, ORCHARD], lock=first.lock)
    assert members(second)[flood_slug] == ["flood-a.md", "flood-b.md"]
    assert {e.slug for s in second.stories for e in s.entries if e.source_path == "flood-a.md"} == {
        first.lock.articles["flood-a.md"]
    }


def test_slug_is_kept_while_one_of_its_articles_remains():
    first = plan([FLOOD_A, FLOOD_B, CHESS])
    flood_slug = next(slug for slug, paths in members(first).items() if "flood-a.md" in paths)
    second = plan([FLOOD_B, CHESS], lock=first.lock)
    assert members(second)[flood_slug] == ["flood-b.md"]


def test_merged_stories_leave_a_redirect_for_the_old_url():
    lock = StoryLock(stories={"dhaka-floods": ("flood-a.md",), "bangladesh-flooding": ("flood-b.md",)})
    result = plan([FLOOD_A, FLOOD_B], lock=lock)
    assert list(members(result)) in (["dhaka-floods"], ["bangladesh-flooding"])
    kept = next(iter(members(result)))
    gone = ({"dhaka-floods", "bangladesh-flooding"} - {kept}).pop()
    assert result.redirects == {gone: kept}
    assert result.lock.redirects == {gone: kept}



def test_a_story_that_parts_again_takes_its_own_address_back():
    first = plan([FLOOD_A, CHESS])
    slug_of = {paths[0]: slug for slug, paths in members(first).items()}
    flood, chess = slug_of["flood-a.md"], slug_of["chess.md"]
    merged = plan([FLOOD_A, replace(CHESS, story=flood)], lock=first.lock)
    assert members(merged) == {flood: ["chess.md", "flood-a.md"]} and merged.redirects == {chess: flood}
    assert merged.lock.retired == {chess: ("chess.md",)}
    parted = plan([FLOOD_A, CHESS], lock=merged.lock)
    assert members(parted) == {flood: ["flood-a.md"], chess: ["chess.md"]}
    assert parted.redirects == {} and parted.lock.retired == {}
    # while the merge lasts, the merged story keeps the address most of its articles had
    lock = StoryLock(stories={"floods": ("flood-a.md", "flood-b.md")}, redirects={"bangladesh": "floods"},
                     retired={"bangladesh": ("flood-b.md",)})
    lasting = plan([FLOOD_A, FLOOD_B], lock=lock)
    assert members(lasting) == {"floods": ["flood-a.md", "flood-b.md"]}
    assert lasting.redirects == {"bangladesh": "floods"} and lasting.lock.retired == lock.retired


def test_a_story_renamed_by_an_editor_and_let_go_keeps_one_address_build_after_build():
    """A story file (or pins) renaming a whole story, then deleted: the story stays where it is.
    It once went back to its first address, and then forth again on every build: the name it
    had before the rename counted as a merged-away story's, which wins a tie."""
    first = plan([FLOOD_A, FLOOD_B, CHESS])
    renamed = plan([FLOOD_A, FLOOD_B, CHESS], [StoryFile(slug="monsoon", source_path="stories/monsoon.md",
                                                         entries=("flood-a.md", "flood-b.md"))], lock=first.lock)
    assert members(renamed)["monsoon"] == ["flood-a.md", "flood-b.md"]
    lock = renamed.lock
    for _ in range(3):
        again = plan([FLOOD_A, FLOOD_B, CHESS], lock=lock)
        assert members(again)["monsoon"] == ["flood-a.md", "flood-b.md"], members(again)
        assert again.lock == lock or lock is renamed.lock
        lock = again.lock


def test_a_story_out_for_a_while_comes_back_at_its_address_and_nobody_takes_it_meanwhile():
    """Its articles made drafts again (or expired) and later published: the lock kept the
    story's and the articles' addresses for them, and a new article of the same title got
    another one."""
    from digestgen.stories import holding_unpublished

    first = plan([FLOOD_A, FLOOD_B, CHESS])
    flood = next(slug for slug, paths in members(first).items() if "flood-a.md" in paths)
    held = frozenset({"flood-a.md", "flood-b.md"})
    lookalike = replace(FLOOD_A, source_path="reprint.md", title=FLOOD_A.title)
    entries = assign_entry_slugs([CHESS, lookalike], first.lock, held)
    meanwhile = build_stories(entries, Config(), (), first.lock)
    lock = holding_unpublished(meanwhile.lock, first.lock, held)
    assert lock.stories[flood] == ("flood-a.md", "flood-b.md") and flood not in members(meanwhile)
    assert {lock.articles[p] for p in held} == {first.lock.articles[p] for p in held}
    assert lock.articles["reprint.md"] not in {first.lock.articles[p] for p in held}
    back = plan([FLOOD_A, FLOOD_B, CHESS, lookalike], lock=lock)
    assert {"flood-a.md", "flood-b.md"} <= set(members(back)[flood])
    assert {p: back.lock.articles[p] for p in held} == {p: first.lock.articles[p] for p in held}


def test_a_pin_to_a_storys_old_address_joins_the_story_where_it_is_now():
    lock = StoryLock(stories={"floods": ("flood-a.md", "flood-b.md")}, redirects={"bangladesh": "floods"})
    result = plan([FLOOD_A, FLOOD_B, replace(ORCHARD, story="bangladesh")], lock=lock)
    assert members(result)["floods"] == ["flood-a.md", "flood-b.md", "orchard.md"]
    assert result.redirects == {"bangladesh": "floods"}


def test_articles_moved_to_another_folder_keep_their_story_and_page_addresses():
    first = plan([FLOOD_A, FLOOD_B, CHESS])
    moved = [replace(e, source_path=f"2022/{e.source_path}") for e in (FLOOD_A, FLOOD_B, CHESS)]
    second = plan(moved, lock=first.lock)
    assert sorted(members(second)) == sorted(members(first)) and second.redirects == {}
    assert sorted(second.lock.articles.values()) == sorted(first.lock.articles.values())
    assert all(path.startswith("2022/") for paths in second.lock.stories.values() for path in paths)

def test_lock_text_is_deterministic_and_readable():
    result = plan([FLOOD_A, FLOOD_B, CHESS])
    text = lock_text(result.lock)
    assert text == lock_text(plan([CHESS, FLOOD_B, FLOOD_A]).lock)
    assert '"flood-a.md"' in text and text.endswith("\n")


def test_a_carried_over_grouping_keeps_stories_and_topics_and_leaves_new_articles_alone():
    """The live preview's quick look after an edit: no regrouping, articles stay where they were."""
    from digestgen.grouping import Grouping
    from digestgen.stories import carried_over

    previous = Grouping(stories=((0, 1), (2,), (3,)), representative=(0, 2, 3), topics=((0, 1), (2,)))
    result = carried_over(previous, ["a.md", "b.md", "c.md", "d.md"], ["b.md", "c.md", "e.md"])
    # a.md and d.md are gone; b.md keeps its story (and becomes its headline), e.md stands alone
    assert result == Grouping(stories=((0,), (1,), (2,)), representative=(0, 1, 2), topics=((0, 1), (2,)))


def test_the_lock_names_retired_stories_only_once_there_are_some(tmp_path):
    from digestgen.lock import read_lock

    plain = plan([FLOOD_A, CHESS]).lock
    assert '"retired"' not in lock_text(plain)  # locks written before stay as they were
    lock = StoryLock(stories={"floods": ("flood-b.md", "flood-a.md")}, redirects={"bangladesh": "floods"},
                     retired={"bangladesh": ("flood-b.md",)})
    path = tmp_path / ".stories.json"
    path.write_text(lock_text(lock), encoding="utf-8")
    assert read_lock(path).retired == {"bangladesh": ("flood-b.md",)}
