"""The site's pages: which files the digest becomes, and what each template is given."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterator, Mapping

import jinja2

from .config import Config
from .models import Digest, Entry, Story
from .output import OutputFile
from .render import render

@dataclass(frozen=True)
class Page:
    path: str  # POSIX, relative to the output root
    template: str
    context: Mapping[str, Any]
    origin: str  # what the page is made from, for error messages


def story_path(story: Story) -> str:
    return f"stories/{story.slug}/index.html"


def article_path(entry: Entry) -> str:
    return f"articles/{entry.slug}/index.html"


def plan_pages(digest: Digest, config: Config) -> list[Page]:
    stories_by_slug = {s.slug: s for s in digest.stories}
    pages = [Page("index.html", "index.html", {"digest": digest}, "the digest index")]
    for story in digest.stories:
        related = [stories_by_slug[slug] for slug in story.related]
        pages.append(Page(story_path(story), "story.html", {"story": story, "related": related}, f"story {story.slug!r}"))
        for entry in story.entries:
            others = [e for e in story.entries if e is not entry]
            pages.append(Page(article_path(entry), "article.html", {"entry": entry, "story": story, "others": others}, entry.source_path))
    pages.append(Page("404.html", "404.html", {"absolute_root": config.base_url or "/"}, "the 404 page"))
    return pages


def render_pages(env: jinja2.Environment, pages: list[Page], config: Config, assets: Mapping[str, str]) -> Iterator[OutputFile]:
    for page in pages:
        depth = len(PurePosixPath(page.path).parts) - 1
        root = page.context.get("absolute_root") or "../" * depth
        context = {
            "site": config,
            "root": root,
            "page_path": page.path,
            "canonical": config.base_url + _pretty(page.path) if config.base_url else "",
            "assets": {name: root + target for name, target in assets.items()},
            "story_path": story_path,
            "article_path": article_path,
            **page.context,
        }
        yield OutputFile(page.path, render(env, page.template, context).encode("utf-8"), page.origin)


def digest_json(digest: Digest) -> OutputFile:
    data = {
        "title": digest.title,
        "stories": [
            {
                "id": story.slug,
                "slug": story.slug,
                "title": story.title,
                "url": story_path(story),
                "date": _iso(story.date),
                "updated": _iso(story.updated),
                "topic": story.topic,
                "related": list(story.related),
                "entries": [
                    {
                        "id": entry.slug,
                        "source_path": entry.source_path,
                        "title": entry.title,
                        "source": entry.source,
                        "date": _iso(entry.date),
                        "url": article_path(entry),
                        "original_url": entry.url,
                    }
                    for entry in story.entries
                ],
            }
            for story in digest.stories
        ],
    }
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return OutputFile("digest.json", text.encode("utf-8"), "digest.json")


def _pretty(path: str) -> str:
    return path.removesuffix("index.html")


def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None
