"""digest.json: every story and its articles, for other programs."""

from __future__ import annotations

import json

from .content.dates import iso_text
from .models import Digest, Entry, Story
from .output import OutputFile
from .pages import DIGEST_JSON, article_path, story_path


def digest_json(digest: Digest) -> OutputFile:
    """digest.json, byte for byte as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes
    it, but about twice as fast: with an indent, the json module encodes in Python, and
    every build that changes a story writes this file again (37 MB at 50,000 articles).
    Its pieces go into one list, joined once: joining story by story copied it thrice."""
    out = ['{\n  "title": ', _json_text(digest.title), ',\n  "stories": ']
    if digest.stories:
        out.append("[\n")
        for number, story in enumerate(digest.stories):
            if number:
                out.append(",\n")
            _story_json(story, out)
        out.append("\n  ]")
    else:
        out.append("[]")
    out.append("\n}\n")
    return OutputFile(DIGEST_JSON, "".join(out).encode("utf-8"), DIGEST_JSON)


_json_text = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (in C where it can be)


def _json_value(value: str | None) -> str:
    return "null" if value is None else _json_text(value)


def _story_json(story: Story, out: list[str]) -> None:
    out.append(
        f'    {{\n      "id": {_json_text(story.slug)},\n      "slug": {_json_text(story.slug)},\n'
        f'      "title": {_json_text(story.title)},\n      "url": {_json_text(story_path(story))},\n'
        f'      "date": {_json_value(_iso(story.date))},\n      "updated": {_json_value(_iso(story.updated))},\n'
        f'      "topic": {_json_text(story.topic)},\n      "related": '
    )
    if story.related:  # a topic of n stories lists n - 1 in each: the bulk of the file
        out += ("[\n        ", ",\n        ".join(map(_json_text, story.related)), "\n      ],\n")
    else:
        out.append("[],\n")
    out.append('      "entries": ')
    if story.entries:
        out.append("[\n")
        out.append(",\n".join(map(_entry_json, story.entries)))
        out.append("\n      ]\n    }")
    else:
        out.append("[]\n    }")


def _entry_json(entry: Entry) -> str:
    return (
        f'        {{\n          "id": {_json_text(entry.slug)},\n          "source_path": {_json_text(entry.source_path)},\n'
        f'          "title": {_json_text(entry.title)},\n          "source": {_json_text(entry.source)},\n'
        f'          "date": {_json_value(_iso(entry.date))},\n          "url": {_json_text(article_path(entry))},\n'
        f'          "original_url": {_json_value(entry.url)},\n          "language": {_json_value(entry.language)}\n        }}'
    )


def _iso(value) -> str | None:  # noqa: ANN001
    return iso_text(value) if value else None
