"""From entries to stories: run the grouping, then apply what the editor pinned. Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Sequence

from .config import Config
from .grouping import Document, GroupingSettings, group
from .models import Entry, Story
from .slugs import slugify, unique_slugs

BLURB_WORDS = 45


def assign_entry_slugs(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """Give every entry its page slug; clashes resolve in source-path order."""
    ordered = sorted(entries, key=lambda e: e.source_path)
    slugs = unique_slugs((e.title for e in ordered), fallback="article")
    return tuple(replace(e, slug=s) for e, s in zip(ordered, slugs))


def build_stories(entries: Sequence[Entry], config: Config) -> tuple[Story, ...]:
    """Group ``entries`` into stories, newest first. ``entries`` must carry slugs."""
    free = [e for e in entries if not e.story]
    settings = GroupingSettings(
        **{k: v for k, v in vars(config.grouping).items() if v is not None}
    )
    grouping = group([Document(e.title, e.text, e.source, e.date) for e in free], settings)

    members: list[list[Entry]] = [[free[i] for i in story] for story in grouping.stories]
    representatives = [free[i] for i in grouping.representative]
    titles = [rep.title for rep in representatives]
    slugs = unique_slugs(titles, fallback="story")
    by_slug: dict[str, list[Entry]] = dict(zip(slugs, members))
    rep_by_slug = dict(zip(slugs, representatives))
    topic_of: dict[str, str] = {}
    for topic in grouping.topics:
        topic_slugs = [slugs[i] for i in topic]
        for s in topic_slugs:
            topic_of[s] = topic_slugs[0]

    for entry in sorted((e for e in entries if e.story), key=lambda e: e.source_path):
        slug = slugify(entry.story or "", fallback="story")
        if slug not in by_slug:
            by_slug[slug], rep_by_slug[slug], topic_of[slug] = [], entry, slug
        by_slug[slug].append(entry)

    stories = [
        _story(slug, by_slug[slug], rep_by_slug[slug], topic_of[slug]) for slug in by_slug
    ]
    stories = _with_related(stories)
    return tuple(sorted(stories, key=_newest_first))


def _story(slug: str, entries: list[Entry], representative: Entry, topic: str) -> Story:
    ordered = tuple(sorted(entries, key=_chronological))
    dates = [e.date for e in ordered if e.date]
    latest = [e.sort_date for e in ordered if e.sort_date]
    return Story(
        slug=slug,
        title=representative.title,
        blurb=representative.summary or blurb(representative.lead),
        entries=ordered,
        representative=representative,
        date=min(dates) if dates else None,
        updated=max(latest) if latest else None,
        topic=topic,
    )


def _with_related(stories: list[Story]) -> list[Story]:
    by_topic: dict[str, list[Story]] = {}
    for story in stories:
        by_topic.setdefault(story.topic, []).append(story)
    return [
        replace(
            story,
            related=tuple(
                s.slug for s in sorted(by_topic[story.topic], key=_newest_first) if s.slug != story.slug
            ),
        )
        for story in stories
    ]


def blurb(text: str, words: int = BLURB_WORDS) -> str:
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:") + "…"


def _chronological(entry: Entry) -> tuple:
    return (entry.date is None, entry.date or datetime.min, entry.source_path)


def _newest_first(story: Story) -> tuple:
    stamp = story.updated or story.date
    return (stamp is None, -(stamp.timestamp()) if stamp else 0.0, story.slug)
