"""Markdown articles: YAML front matter (python-frontmatter) and a CommonMark body.

Raw HTML in Markdown is disabled, so it is shown as text, never as markup;
markdown-it's own link validation refuses ``javascript:``-style URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from markdown_it import MarkdownIt

_HANDLER = YAMLHandler()
_BOUNDARY = re.compile(r"^-{3,}\s*$")
_MAX_YAML_NODES = 10_000  # beyond this a front matter block is an alias bomb, not metadata
_MAX_YAML_DEPTH = 20

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicated keys instead of keeping the last silently."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicated key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)




@dataclass(frozen=True)
class ParsedMarkdown:
    metadata: dict[str, Any]
    key_lines: dict[str, int]  # front matter key -> file line, for messages
    body_html: str
    paragraphs: tuple[str, ...]
    heading: str | None  # the body's first heading, a title of last resort


def parse_markdown(text: str) -> ParsedMarkdown:
    metadata: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    body = text
    lines = text.split("\n")
    if lines and _BOUNDARY.match(lines[0]):
        closing = next((i for i in range(1, len(lines)) if _BOUNDARY.match(lines[i])), None)
        if closing is None:
            raise FrontMatterError("front matter opened with '---' is never closed", 1)
        front, body = _HANDLER.split(text)
        metadata = _load_front_matter(front)
        for number, line in enumerate(lines[1:closing], start=2):
            match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
            if match:
                key_lines.setdefault(match.group(1), number)
    tokens = _md.parse(body)
    heading = None
    paragraphs: list[str] = []
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        plain = _plain(token)
        if tokens[index - 1].type == "heading_open":
            heading = heading or plain
        elif plain:
            paragraphs.append(plain)
    html = _md.renderer.render(tokens, _md.options, {})
    return ParsedMarkdown(metadata, key_lines, html, tuple(paragraphs), heading)


def _load_front_matter(front: str) -> dict[str, Any]:
    try:
        data = _HANDLER.load(front, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # +2: YAML counts from 0, and the opening '---' is line 1 of the file.
        line = mark.line + 2 if mark else 1
        raise FrontMatterError(f"invalid YAML front matter: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"invalid YAML front matter: {exc}", 1) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            f"front matter must be a mapping of keys to values, got {type(data).__name__}", 2
        )
    _check_size(data)
    return {str(k): v for k, v in data.items()}


def _check_size(data: Any) -> None:
    budget = [_MAX_YAML_NODES]

    def walk(value: Any, depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0 or depth > _MAX_YAML_DEPTH:
            raise FrontMatterError(
                "front matter is too large or too deeply nested (limit: "
                f"{_MAX_YAML_NODES} values, {_MAX_YAML_DEPTH} levels)", 2
            )
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k, depth + 1)
                walk(v, depth + 1)
        elif isinstance(value, list):
            for v in value:
                walk(v, depth + 1)

    walk(data, 0)


def _plain(token) -> str:  # noqa: ANN001
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())
