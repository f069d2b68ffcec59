"""The values that flow through a build: Entry -> Story -> Digest.

Plain frozen dataclasses. Models never touch the filesystem or the network;
each build stage returns new values instead of mutating shared ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Mapping

UNKNOWN_OUTLET = "Unknown outlet"


@dataclass(frozen=True)
class Entry:
    """One source's version of a story: one content file."""

    source_path: str  # relative to the content folder, POSIX separators
    title: str
    body_html: str  # already escaped or sanitised: safe to emit as markup
    paragraphs: tuple[str, ...]  # plain text, for blurbs, grouping and search
    source: str  # the outlet, never blank
    date: datetime | None = None
    updated: datetime | None = None
    url: str | None = None  # the original article; http(s) only
    author: str | None = None
    tags: tuple[str, ...] = ()
    story: str | None = None  # editor's pin to a story slug
    summary: str | None = None
    draft: bool = False
    language: str | None = None  # its language tag (``fr``, ``pt-BR``), when front matter gives one
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    slug: str = ""  # assigned by the build once all entries are known
    key: str = ""  # hash of the file it was read from: equal keys, equal entries (but for slug)

    def with_slug(self, slug: str) -> Entry:
        """This entry under ``slug``. (dataclasses.replace runs __init__ again, which for
        10,000 entries costs a quarter of a second a build.)"""
        copy = object.__new__(Entry)
        copy.__dict__.update(self.__dict__)
        object.__setattr__(copy, "slug", slug)
        return copy

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def lead(self) -> str:
        """The opening paragraph; the next one when it only repeats the headline, as scraped
        bodies often begin (a story's card showed the headline twice)."""
        paragraphs = self.paragraphs
        if paragraphs and _plain(paragraphs[0]) == _plain(self.title):
            paragraphs = paragraphs[1:]
        return paragraphs[0] if paragraphs else ""

    @property
    def sort_date(self) -> datetime | None:
        return self.updated or self.date

    def newest_first(self) -> tuple:
        """Sort key: the most recently updated version first, undated ones last, then by slug."""
        return _newest_first(self.sort_date, self.slug)


@dataclass(frozen=True)
class Story:
    """The versions of one news event, from every outlet that reported it."""

    slug: str
    title: str
    blurb: str
    entries: tuple[Entry, ...]  # oldest first: how the story unfolded
    representative: Entry
    date: datetime | None  # when the story broke: its earliest dated version
    updated: datetime | None  # its latest dated version
    featured: bool = False
    topic: str = ""  # slug of the topic (related-story group) it belongs to
    related: tuple[str, ...] = ()  # slugs of related stories, newest first
    # The languages of its title and blurb when they are a version's (the representative's)
    # rather than the editor's, who writes in the site's language.
    title_language: str | None = None
    blurb_language: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """Outlet names, in the order of the versions, each once."""
        return tuple(dict.fromkeys(e.source for e in self.entries))

    @property
    def sort_date(self) -> datetime | None:
        """When it last changed: its newest update, else its date."""
        return self.updated or self.date

    def newest_first(self) -> tuple:
        """Sort key: the most recently updated story first, undated ones last, then by slug."""
        return _newest_first(self.sort_date, self.slug)


@dataclass(frozen=True)
class Digest:
    title: str
    description: str
    stories: tuple[Story, ...]  # featured first, then newest first
    redirects: Mapping[str, str] = field(default_factory=dict)  # old story slug -> current slug

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for s in self.stories for e in s.entries)


@dataclass(frozen=True)
class StoryFile:
    """An editor's story definition, ``content/stories/<slug>.md``: it always wins."""

    slug: str
    source_path: str
    title: str | None = None
    summary: str | None = None
    featured: bool = False
    entries: tuple[str, ...] = ()  # source paths the story must contain
    entry_lines: tuple[int | None, ...] = ()  # the file line each of entries is listed on, for messages


@dataclass(frozen=True)
class StoryLock:
    """What has been published under which URL, so later builds keep the URLs.

    Persisted as ``content/.stories.json``; users commit it with their content.
    """

    stories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # story slug -> source paths
    articles: Mapping[str, str] = field(default_factory=dict)  # source path -> article slug
    redirects: Mapping[str, str] = field(default_factory=dict)  # old story slug -> current slug
    # old story slug -> the source paths it had when it was retired: should they part again
    # from the story they joined, they take their own slug back from the redirect
    retired: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _plain(text: str) -> str:
    """``text`` as a reader compares it: case, spacing and the punctuation around it aside."""
    return " ".join(text.casefold().split()).strip(" .:;!?\"'“”‘’«»")


def _newest_first(stamp: datetime | None, slug: str) -> tuple:
    return (stamp is None, -(stamp.timestamp()) if stamp else 0.0, slug)
