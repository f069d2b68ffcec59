"""From entries to stories: run the grouping, apply what the editor decided, keep URLs stable. Pure.

Order of authority, highest first:
1. story files (``content/stories/<slug>.md``): their slug, title, summary, ``entries:``;
2. an entry's own ``story: <slug>`` pin;
3. the grouping algorithm, for everything else.
Slugs already published (the story lock) are kept as long as one of their
articles remains; a story that disappears into another becomes a redirect.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from hashlib import blake2b
from typing import Callable, Mapping, Sequence

from .config import Config
from .fingerprint import Fingerprinter
from .grouping import Document, Grouping, GroupingSettings, group
from .models import Entry, Story, StoryFile, StoryLock
from .slugs import is_slug, slugify, unique_slugs

BLURB_WORDS = 45

# group(docs, settings), possibly remembered: the key names the documents and settings exactly,
# and names[i] is the source path of docs[i].
Grouper = Callable[[Sequence[Document], GroupingSettings, str, Sequence[str]], Grouping]


@dataclass(frozen=True)
class StoryPlan:
    stories: tuple[Story, ...]  # featured first, then newest first
    redirects: Mapping[str, str]  # old story slug -> current slug
    lock: StoryLock  # what to persist for the next build


def assign_entry_slugs(entries: Sequence[Entry], lock: StoryLock = StoryLock(),
                       held: frozenset[str] = frozenset()) -> tuple[Entry, ...]:
    """Give every entry its page slug: the published one if it has one, else one from its title,
    never one the lock keeps for the articles at ``held`` paths (unpublished for now)."""
    ordered = sorted(entries, key=lambda e: e.source_path)
    owner: dict[str, str] = {}  # published slug -> the one source path that keeps it
    for entry in ordered:
        slug = lock.articles.get(entry.source_path)
        if slug and slug not in owner and is_slug(slug):
            owner[slug] = entry.source_path
    kept = {path: slug for slug, path in owner.items()}
    fresh = [e for e in ordered if e.source_path not in kept]
    avoid = {*kept.values(), *(lock.articles[path] for path in held if path in lock.articles)}
    new = dict(zip((e.source_path for e in fresh), unique_slugs((e.title for e in fresh), avoid, "article")))
    return tuple(e.with_slug(kept.get(e.source_path) or new[e.source_path]) for e in ordered)


def build_stories(
    entries: Sequence[Entry],
    config: Config,
    story_files: Sequence[StoryFile] = (),
    lock: StoryLock = StoryLock(),
    features: Mapping[str, object] = {},
    grouper: Grouper | None = None,
) -> StoryPlan:
    """Group ``entries`` (which must carry slugs) into stories. ``features`` maps source paths
    to grouping.prepare() results already computed (by the reader, in parallel and cached);
    ``grouper`` may stand in for grouping.group, given a key that names its exact input."""
    lock = _following_moves(entries, lock)
    forced = _forced_membership(entries, story_files, lock.redirects)
    free = [e for e in entries if e.source_path not in forced]
    settings = GroupingSettings(**{k: v for k, v in vars(config.grouping).items() if v is not None})
    # Where features are known, group() reads them and not the text (joining every body
    # again costs a tenth of a second at 10,000 articles).
    docs = [
        Document(e.title, "", e.source, e.date, f, e.url) if (f := features.get(e.source_path)) is not None
        else Document(e.title, e.text, e.source, e.date, None, e.url)
        for e in free
    ]
    if grouper is None:
        grouping = group(docs, settings)
    else:
        grouping = grouper(docs, settings, _grouping_key(free, docs, settings), [e.source_path for e in free])

    clusters = [[free[i] for i in members] for members in grouping.stories]
    representatives = [free[i] for i in grouping.representative]
    # A pin or story file naming a published story joins it; one naming a new slug makes that story.
    slugs = _stable_slugs(clusters, representatives, set(forced.values()) - set(lock.stories), lock)

    members: dict[str, list[Entry]] = dict(zip(slugs, clusters))
    rep_of: dict[str, Entry | None] = dict(zip(slugs, representatives))
    topic_of = {slugs[i]: slugs[topic[0]] for topic in grouping.topics for i in topic}
    for entry in sorted(entries, key=lambda e: e.source_path):
        slug = forced.get(entry.source_path)
        if slug:
            members.setdefault(slug, []).append(entry)
            rep_of.setdefault(slug, None)
            topic_of.setdefault(slug, slug)
    files = {f.slug: f for f in story_files}
    stories = _with_related([
        _story(slug, group_, rep_of[slug] or _most_typical(group_), topic_of[slug], files.get(slug))
        for slug, group_ in members.items()
        if group_
    ])
    redirects = _redirects({s.slug: s for s in stories}, lock)
    new_lock = StoryLock(
        stories={s.slug: tuple(sorted(e.source_path for e in s.entries)) for s in stories},
        articles={e.source_path: e.slug for e in entries},
        redirects=redirects,
        retired={old: lock.stories.get(old) or lock.retired[old] for old in redirects
                 if old in lock.stories or old in lock.retired},
    )
    return StoryPlan(tuple(sorted(stories, key=_front_page_order)), redirects, new_lock)


def holding_unpublished(lock: StoryLock, previous: StoryLock, held: frozenset[str]) -> StoryLock:
    """``lock`` (a build's, of its published articles) still keeping what ``previous`` recorded
    for the articles at ``held`` paths: articles in the content folder but not published for
    now (a draft again, dated in the future, expired). When they are published again, their
    pages and stories come back at the addresses they had, as the lock promises while one of
    a story's articles remains; meanwhile no other article or story takes those addresses."""
    taken = set(lock.articles.values())
    articles = {**{path: previous.articles[path] for path in sorted(held)
                   if path in previous.articles and previous.articles[path] not in taken}, **lock.articles}
    stories = dict(lock.stories)
    for slug, paths in previous.stories.items():
        waiting = tuple(path for path in paths if path in held)
        if waiting and slug in stories:  # published with its other articles: these stay listed, to rejoin it
            stories[slug] = tuple(sorted({*stories[slug], *waiting}))
        elif waiting and slug not in lock.redirects:
            stories[slug] = waiting
    # an old address of a story that is out for now keeps leading to it when it comes back
    redirects = dict(lock.redirects)
    for old, target in previous.redirects.items():
        if target in stories and target not in lock.stories and old not in redirects and old not in stories:
            redirects[old] = target
    return replace(lock, articles=articles, stories=stories, redirects=redirects)


def _following_moves(entries: Sequence[Entry], lock: StoryLock) -> StoryLock:
    """``lock`` with the articles moved or renamed since under their new paths, so their stories
    keep their addresses: an article at a path the lock does not know, whose page took the slug
    of a path that is gone (same title, so the same slug), is that article."""
    present = {e.source_path for e in entries}
    gone = {slug: path for path, slug in lock.articles.items() if path not in present}
    moved = {gone[e.slug]: e.source_path for e in entries if e.source_path not in lock.articles and e.slug in gone}
    if not moved:
        return lock

    def follow(paths: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(moved.get(path, path) for path in paths)

    return replace(lock, stories={slug: follow(paths) for slug, paths in lock.stories.items()},
                   retired={slug: follow(paths) for slug, paths in lock.retired.items()})


def _grouping_key(entries: Sequence[Entry], docs: Sequence[Document], settings: GroupingSettings) -> str:
    """A name for group()'s exact input: everything of each document that group() reads.
    Its words only through its features, so an edit that leaves those alone (a link, a tag,
    a summary, a stop word) regroups nothing. Hashed in one go: the general Fingerprinter
    took 0.2 s on 10,000 documents."""
    parts = [repr(settings).encode()]
    for entry, doc in zip(entries, docs):
        if doc.features is None:
            parts.append(Fingerprinter()(entry.title, entry.text, entry.url).encode())
        else:
            parts += (len(doc.features.keys).to_bytes(8, "little"), doc.features.keys, doc.features.weights)
        stamp = repr(doc.date.timestamp()) if doc.date is not None else "-"
        parts.append(f"|{len(doc.source)}:{doc.source}|{stamp}|{bool(doc.title.strip())}\n".encode())
    return blake2b(b"".join(parts), digest_size=16).hexdigest()


def carried_over(previous: Grouping, previous_names: Sequence[str], names: Sequence[str]) -> Grouping:
    """``previous`` (a grouping of the articles ``previous_names``) applied to ``names``: each
    article keeps its story and its story's topic, articles that are gone leave theirs, and new
    ones stand alone. A quick provisional look for the live preview, never a final result."""
    index = {name: i for i, name in enumerate(names)}
    stories: list[tuple[int, ...]] = []
    representative: list[int] = []
    renumbered: dict[int, int] = {}
    for number, members in enumerate(previous.stories):
        kept = tuple(sorted(index[previous_names[i]] for i in members if previous_names[i] in index))
        if kept:
            renumbered[number] = len(stories)
            stories.append(kept)
            chosen = previous_names[previous.representative[number]]
            representative.append(index[chosen] if chosen in index else kept[0])
    topics = [kept for topic in previous.topics if (kept := tuple(renumbered[s] for s in topic if s in renumbered))]
    placed = {i for members in stories for i in members}
    for i in range(len(names)):
        if i not in placed:
            topics.append((len(stories),))
            stories.append((i,))
            representative.append(i)
    return Grouping(tuple(stories), tuple(representative), tuple(topics))


def with_revised_entries(stories: Sequence[Story], revised: Mapping[str, Entry],
                         story_files: Mapping[str, StoryFile] = {}) -> tuple[Story, ...]:
    """``stories`` with the entries named in ``revised`` (source path -> entry) replaced,
    each story as build_stories would make it from the same members: for the live
    preview's edits that change no date, outlet or other field a story is ordered by.
    ``story_files`` are the editor's, by slug: their titles and summaries win."""
    return tuple(
        _revised(s, revised, story_files.get(s.slug)) if any(e.source_path in revised for e in s.entries) else s
        for s in stories
    )


def _revised(story: Story, revised: Mapping[str, Entry], editor: StoryFile | None) -> Story:
    representative = revised.get(story.representative.source_path, story.representative)
    return replace(
        story,
        **_title_and_blurb(representative, editor),
        entries=tuple(revised.get(e.source_path, e) for e in story.entries),
        representative=representative,
    )


def pinned_story(pin: str, story_files: Sequence[StoryFile], redirects: Mapping[str, str]) -> str:
    """The slug of the story a ``story:`` pin names: the story where an old address of it (one
    an editor remembers) now leads, unless a story file claims that address."""
    named = {f.slug for f in story_files}
    slug, seen = slugify(pin, "story"), set()
    while slug in redirects and slug not in named and slug not in seen:
        seen.add(slug)
        slug = redirects[slug]
    return slug


def _forced_membership(entries: Sequence[Entry], story_files: Sequence[StoryFile],
                       redirects: Mapping[str, str]) -> dict[str, str]:
    """source path -> story slug, for entries the editor placed (story files beat pins). A pin
    naming a story's old address (one an editor remembers) joins the story where it is now."""
    forced = {e.source_path: pinned_story(e.story, story_files, redirects) for e in entries if e.story}
    for story_file in sorted(story_files, key=lambda f: f.slug):
        for path in story_file.entries:
            forced[path] = story_file.slug
    return forced


def _stable_slugs(
    clusters: list[list[Entry]], representatives: list[Entry], reserved: set[str], lock: StoryLock
) -> list[str]:
    """Slugs for algorithmic clusters: a cluster inherits the published slug most of its
    articles had (each slug goes to one cluster, the one holding most of its articles);
    the rest get new slugs from their headlines, never reusing a published or reserved one.
    A slug retired when its story merged into another counts too, and wins a tie: when the
    merged story parts again, each part goes back to its own address. A story still whole
    (all its articles here) keeps its address over a retired one, though: it was renamed (by
    a story file or pins since let go), not merged, and going back would flip it to and fro."""
    previous = {path: slug for slug, paths in lock.stories.items() for path in paths}
    before_merging: dict[str, list[str]] = {}
    for slug, paths in lock.retired.items():
        for path in paths:
            before_merging.setdefault(path, []).append(slug)
    placed = Counter(previous[e.source_path] for cluster in clusters for e in cluster if e.source_path in previous)
    claims = []
    for index, cluster in enumerate(clusters):
        votes = Counter(previous[e.source_path] for e in cluster if e.source_path in previous)
        retired = Counter(slug for e in cluster for slug in before_merging.get(e.source_path, ()))
        claims += [(-count, -1 if count == placed[slug] else 1, slug, index)
                   for slug, count in votes.items() if slug not in reserved]
        claims += [(-count, 0, slug, index) for slug, count in retired.items() if slug not in reserved]
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, slug, index in sorted(claims):
        if index not in chosen and slug not in taken:
            chosen[index] = slug
            taken.add(slug)
    avoid = reserved | taken | set(lock.stories) | set(lock.redirects)
    fresh = [i for i in range(len(clusters)) if i not in chosen]
    for index, slug in zip(fresh, unique_slugs((representatives[i].title for i in fresh), avoid, "story")):
        chosen[index] = slug
    return [chosen[i] for i in range(len(clusters))]


def _redirects(current: Mapping[str, Story], lock: StoryLock) -> dict[str, str]:
    """Old slugs that still have articles, pointing at the story that now holds most of them."""
    where = {e.source_path: slug for slug, story in current.items() for e in story.entries}
    redirects: dict[str, str] = {}
    for old, paths in lock.stories.items():
        if old in current:
            continue
        votes = Counter(where[p] for p in paths if p in where)
        if votes:
            redirects[old] = min(votes.items(), key=lambda item: (-item[1], item[0]))[0]
    for old, target in lock.redirects.items():
        seen = {old}
        while target not in current and target in redirects and target not in seen:
            seen.add(target)
            target = redirects[target]
        if old not in current and old not in redirects and target in current:
            redirects[old] = target
    return redirects


def _story(slug: str, entries: list[Entry], representative: Entry, topic: str, editor: StoryFile | None) -> Story:
    ordered = tuple(sorted(entries, key=_chronological))
    dates = [e.date for e in ordered if e.date]
    latest = [e.sort_date for e in ordered if e.sort_date]
    return Story(
        slug=slug,
        **_title_and_blurb(representative, editor),
        entries=ordered,
        representative=representative,
        date=min(dates) if dates else None,
        updated=max(latest) if latest else None,
        featured=bool(editor and editor.featured),
        topic=topic,
    )


def _title_and_blurb(representative: Entry, editor: StoryFile | None) -> dict[str, str | None]:
    """The story's title and blurb (Story's fields), each with its language when it is the
    representative's rather than the editor's."""
    title = editor.title if editor else None
    summary = editor.summary if editor else None
    return {
        "title": title or representative.title,
        "blurb": summary or representative.summary or blurb(representative.lead),
        "title_language": None if title else representative.language,
        "blurb_language": None if summary else representative.language,
    }


def _most_typical(entries: list[Entry]) -> Entry:
    """The version whose headline shares most words with the others' (for editor-made stories,
    which the algorithm did not see)."""
    words = [set(e.title.lower().split()) for e in entries]

    def score(i: int) -> tuple:
        overlap = sum(len(words[i] & w) / (len(words[i] | w) or 1) for j, w in enumerate(words) if j != i)
        return (-overlap, _chronological(entries[i]))

    return entries[min(range(len(entries)), key=score)]


def _with_related(stories: list[Story]) -> list[Story]:
    by_topic: dict[str, list[Story]] = {}
    for story in stories:
        by_topic.setdefault(story.topic, []).append(story)
    return [
        replace(story, related=tuple(
            s.slug for s in sorted(by_topic[story.topic], key=Story.newest_first) if s.slug != story.slug
        ))
        for story in stories
    ]


def blurb(text: str, words: int = BLURB_WORDS) -> str:
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:") + "…"


def _chronological(entry: Entry) -> tuple:
    return (entry.date is None, entry.date.timestamp() if entry.date else 0.0, entry.source_path)


def _front_page_order(story: Story) -> tuple:
    return (not story.featured, *story.newest_first())
