"""Patching a built site after an edit, for the live preview.

Saving an article whose date, outlet, tags and other fields that order, list or name
pages are unchanged (a fixed typo, a new paragraph, a better headline) changes that
article, its story, and the outputs that show either of them: at 10,000 articles, a
few dozen files out of 13,000. A build would still read, plan and fingerprint
everything; :func:`patch` re-parses the saved files and makes only those outputs again,
with every article kept in the story it had, as a provisional build would
(build(provisional=True)). The search index is left as it was: the exact build that
the preview runs next brings it, and any regrouping, up to date.

Saving a template or a static file changes every page, which a build makes again in
seconds at that size: :func:`patch_theme` makes the pages open in a browser at once, and
leaves the rest to the build that follows.

Anything else (a new or deleted article, a changed date or tag, the config, a warning)
is not a patch: both return None and the caller builds.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

from . import cache
from ._gc import cycle_collection_paused
from .assets import site_static
from .config import Config, Paths
from .content.dates import day_first
from .content import ARTICLE_SUFFIXES, is_article, link_articles, read_article, relative_name
from .digest_json import digest_json
from .feeds import newest_stories
from .i18n import site_messages, unknown_outlet
from .models import Digest, Entry, Story, StoryFile, StoryLock
from .output import replace_files
from .pages import FEED_ATOM, FEED_JSON, Month, Outlet, Tag, plan_pages, story_feed_path
from .render import check_templates, make_environment
from .site import render_outputs
from .stories import with_revised_entries

# What an edit may change and still be patched: what pages show of an article, but not
# what places, orders or lists it. A title may name pages, or make another version its
# story's headline: it may change only where it can do neither (_retitlable).
_SHOWN_FIELDS = frozenset({"body_html", "paragraphs", "key", "title", "summary", "author", "url", "extra"})
_IN_DIGEST_JSON = ("title", "url")


@dataclass(frozen=True)
class SiteState:
    """What a build made the site from: enough to patch it."""

    paths: Paths
    config: Config
    environment: Any  # jinja2.Environment
    assets: Mapping[str, str]
    salt: str
    digest: Digest
    story_files: Mapping[str, StoryFile]  # the editor's, by story slug
    warned: frozenset[str]  # source paths the build warned about
    lock: StoryLock  # the story lock the build read


@dataclass(frozen=True)
class ShownIndex:
    """shown_by() of a site, with what it depends on: the site's shape, not its texts."""

    shape: tuple
    shown: Mapping[str, set[str]]


def shape(state: SiteState) -> tuple:
    """Everything the plan of pages follows from, but the articles' texts."""
    return (repr(state.config), tuple(
        (s.slug, s.topic, s.related, s.featured, s.date, s.updated, tuple(
            (e.source_path, e.slug, e.source, e.tags, e.date, e.updated) for e in s.entries))
        for s in state.digest.stories
    ))


@cycle_collection_paused
def shown_index(state: SiteState, known: ShownIndex | None) -> ShownIndex:
    """``known`` if the site still has its shape, else the index made again (a fifth of a
    second at 10,000 articles)."""
    current = shape(state)
    if known is not None and known.shape == current:
        return known
    return ShownIndex(current, shown_by(state.digest, state.config))


def shown_by(digest: Digest, config: Config) -> dict[str, set[str]]:
    """Which outputs show each story and each article: ``story:<slug>`` and ``entry:<source
    path>`` -> the output paths whose inputs hold it (the search index aside). When a story
    or an article changes but nothing that orders or names the site does, those outputs
    are the ones to make again (site.render_outputs)."""
    shown: dict[str, set[str]] = {}
    for page in plan_pages(digest, config):
        found: set[str] = set()
        _references(page.context, found)
        for key in found:
            shown.setdefault(key, set()).add(page.path)
    for story in digest.stories:
        shown.setdefault(f"story:{story.slug}", set()).add(story_feed_path(story))
    for story in newest_stories(digest, config):
        shown[f"story:{story.slug}"] |= {FEED_ATOM, FEED_JSON}
    return shown


def _references(value: Any, found: set[str]) -> None:
    kind = type(value)
    if kind is Story:
        found.add(f"story:{value.slug}")  # its articles are in it: a page showing it shows them
    elif kind is Entry:
        found.add(f"entry:{value.source_path}")
    elif kind is list or kind is tuple:
        for item in value:
            _references(item, found)
    elif kind is dict:
        for item in value.values():
            _references(item, found)
    elif kind in (Outlet, Tag, Month):
        for name in kind.__dataclass_fields__:
            _references(getattr(value, name), found)


@dataclass(frozen=True)
class Patched:
    state: SiteState
    files: tuple[str, ...]  # the output paths made again


@cycle_collection_paused
def patch(state: SiteState, changes: Sequence[Path], index: ShownIndex) -> Patched | None:
    """The site after ``changes`` (saved files), patched in place; None when they are not
    all patchable edits to published articles, and a build must run instead. When the
    articles read as they were (a file touched, saved unchanged), nothing is made: the
    Patched names no file."""
    published = {e.source_path: (e, s) for s in state.digest.stories for e in s.entries}
    revised = _revised_entries(state, changes, published)
    if revised is None:
        return None
    if not revised:
        return Patched(state, ())
    old = {s.slug: s for s in state.digest.stories}
    stories = with_revised_entries(state.digest.stories, revised, state.story_files)
    touched = [s for s in stories if s is not old[s.slug]]
    wanted: set[str] = set()
    for key in [*(f"entry:{path}" for path in revised), *(f"story:{s.slug}" for s in touched)]:
        wanted |= index.shown.get(key, set())
    digest = replace(state.digest, stories=stories)
    files = render_outputs(state.environment, digest, state.config, state.assets, state.salt, wanted)
    if any(getattr(e, name) != getattr(published[path][0], name) for path, e in revised.items() for name in _IN_DIGEST_JSON) \
            or any(s.title != old[s.slug].title for s in touched):
        files.append(digest_json(digest))
    replace_files(files, state.paths.output)
    cache.forget_outputs(state.paths.cache, state.paths.output, {f.path for f in files})
    return Patched(replace(state, digest=digest), tuple(sorted(f.path for f in files)))


@cycle_collection_paused
def patch_theme(state: SiteState, changes: Sequence[Path], pages: Collection[str]) -> Patched | None:
    """The site after ``changes`` to templates and static files, with the ``pages`` (output
    paths: those open in a browser) made again and any new static file written; the site's
    other pages stay as they were, for a build to make. None when ``changes`` hold anything
    else, no page is asked for, or a template does not compile (the build reports it)."""
    theme = (state.paths.templates.resolve(), state.paths.static.resolve())
    saved = {Path(c).parent.resolve() / Path(c).name for c in changes}
    if not pages or not saved or not all(_inside_any(path, theme) for path in saved):
        return None
    env = make_environment(state.paths.templates, state.config.tzinfo, state.paths.cache / "templates",
                           site_messages(state.config))
    if check_templates(env):
        return None
    static, assets, salt = site_static(state.paths.static, state.paths.files)
    before = {*state.assets.values(), *(f"static/{name}" for name in state.assets)}  # hashed names and their own
    files = render_outputs(env, state.digest, state.config, assets, salt, set(pages))
    if not files:  # none of them a page of the plan (the search page, a page since removed)
        return None
    # New names (an edited style sheet) and files edited in place (an image); what the
    # pages not yet made again link stays, until the build replaces the whole folder.
    files += [f for f in static if f.path not in before or Path(f.origin).resolve() in saved]
    replace_files(files, state.paths.output)
    cache.forget_outputs(state.paths.cache, state.paths.output, {f.path for f in files})
    return Patched(replace(state, environment=env, assets=assets, salt=salt), tuple(sorted(f.path for f in files)))


def _inside_any(path: Path, folders: Sequence[Path]) -> bool:
    """Is ``path`` one of ``folders`` or a file in one, hidden ones (which builds skip) aside?"""
    for folder in folders:
        if path == folder or (path.is_relative_to(folder)
                              and not any(part.startswith(".") for part in path.relative_to(folder).parts)):
            return True
    return False


def _revised_entries(state: SiteState, changes: Sequence[Path],
                     published: Mapping[str, tuple[Entry, Story]]) -> dict[str, Entry] | None:
    content = state.paths.content.resolve()
    revised: dict[str, Entry] = {}
    slugs = {rel: entry.slug for rel, (entry, _) in published.items()}  # for links between articles
    # The watcher names files under the content folder as given, which may be a symlink.
    for path in dict.fromkeys(Path(c).parent.resolve() / Path(c).name for c in changes):
        if not _article_file(path, content):
            if _vanished_temporary(path, content, published):
                continue  # an editor's save: written under another name, renamed over the article
            return None
        rel = relative_name(path, content)
        if rel not in published or rel in state.warned:
            return None
        before, story = published[rel]
        entry, problems = read_article(path, content, state.config.timezone, unknown_outlet(site_messages(state.config)),
                                       day_first(state.config.language))
        if entry is None or problems:
            return None
        entry = link_articles([entry.with_slug(before.slug)], slugs)[0][0]
        if not patchable(before, entry, _retitlable(state, before, story)):
            return None
        if entry != before:
            revised[rel] = entry
    return revised


def _retitlable(state: SiteState, entry: Entry, story: Story) -> bool:
    """Would a new title for ``entry`` rename no page and pick no other headline for its story?
    Only when the story lock gave its page's and its story's slugs (else headlines make them),
    and its story is the grouping's: an editor's story (a story file, or story: pins) takes the
    version whose headline is most like the others'."""
    return (
        state.lock.articles.get(entry.source_path) == entry.slug
        and story.slug in state.lock.stories
        and story.slug not in state.story_files
        and not any(e.story for e in story.entries)
    )


def patchable(before: Entry, after: Entry, retitlable: bool) -> bool:
    """Can a patch take an article from ``before`` to ``after``? ``retitlable``: a new title
    renames no page and picks no other headline for its story (_retitlable)."""
    allowed = _SHOWN_FIELDS if retitlable else _SHOWN_FIELDS - {"title"}
    return all(
        getattr(before, f.name) == getattr(after, f.name)
        for f in dataclasses.fields(Entry) if f.name not in allowed
    )


def _vanished_temporary(path: Path, content: Path, published: Mapping[str, object]) -> bool:
    """Is ``path`` gone, and was it never an article nor a folder of them? Editors save to a
    temporary name (``tmpx17xkdcp``, ``a.md___jb_tmp___``, ``a.md.tmp.123``) and rename it over
    the article, which is among the changes too."""
    if path.suffix.lower() in ARTICLE_SUFFIXES or os.path.lexists(path):
        return False
    try:
        folder = relative_name(path, content) + "/"
    except ValueError:
        return False
    return not any(rel.startswith(folder) for rel in published)


def _article_file(path: Path, content: Path) -> bool:
    """An article file discover() would find (symlinks left to builds)."""
    try:
        parts = path.relative_to(content).parts
    except ValueError:
        return False
    return is_article(parts) and path.is_file() and not path.is_symlink()
