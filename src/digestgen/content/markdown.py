"""Markdown articles: YAML front matter and a CommonMark body.

Raw HTML in Markdown is disabled, so it is shown as text, never as markup;
HTML comments, editors' notes, are left out.
Links and images in the body keep only relative, ``http``, ``https`` and
``mailto`` URLs; anything else (``javascript:``, ``data:``, ``vbscript:``, in
any spelling) is left as plain text.

Front matter is untrusted YAML: it is first scanned event by event (an
iterative parse, no recursion) and refused when it has aliases, merge keys,
too many values or too deep a nesting, so neither an alias bomb nor a
10,000-level ``[[[[…`` can exhaust memory or crash the C parser's recursive
composer. Only then is it loaded, with a SafeLoader that refuses duplicated
keys and reads out-of-range numbers and dates as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from markdown_it import MarkdownIt
from markdown_it.common.entities import entities as _ENTITIES
from markdown_it.common.utils import isValidEntityCode

from .decode import NONCHARACTERS

_FRONT_MATTER = YAMLHandler()
_BOUNDARY = re.compile(r"^-{3,}\s*$")
_MAX_YAML_NODES = 10_000  # beyond this a front matter block is a bomb, not metadata
_MAX_YAML_DEPTH = 20

# maxNesting: CommonMark's preset stops at 20 levels, and everything past that point of the
# text was lost without a word: a list nested ten deep (each level is a list and an item)
# took the rest of the article with it. 100 is markdown-it's own default; the parser's
# recursion stays far inside Python's limit, and a file nested deeper is an error naming it.
_md = MarkdownIt("commonmark", {"html": False, "typographer": False, "maxNesting": 100}).enable(["table", "strikethrough"])

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers drop these anywhere in a URL before looking at its scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]")


def safe_url(url: str) -> bool:
    """True for a relative URL or an http(s)/mailto one, however the scheme is disguised."""
    squeezed = _URL_IGNORED.sub("", url).lower()
    match = _SCHEME.match(squeezed)
    if match is None:
        # No scheme: relative, unless a browser would still find one ("java\\script:" is not one).
        return ":" not in squeezed.split("/", 1)[0] or squeezed.startswith(("/", "?", "#", "."))
    return match.group(1) in _SAFE_SCHEMES


_md.validateLink = safe_url  # type: ignore[method-assign]


# HTML comments are editors' notes ("<!-- TODO: confirm with the source -->"): every generator
# leaves them out of the page, and shown as text (raw HTML is) they were published, in the
# description too. An unclosed one is text, as is anything after a comment on its line: a
# comment rule never takes more than the comment.
def _comment_block(state, start: int, end: int, silent: bool) -> bool:  # noqa: ANN001
    if state.sCount[start] - state.blkIndent >= 4:  # indented: code
        return False
    begin = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("<!--", begin):
        return False
    line, at = start, begin + 4
    while line < end:
        close = state.src.find("-->", at, state.eMarks[line])
        if close >= 0:
            if state.src[close + 3:state.eMarks[line]].strip():
                return False  # text follows on its line: a paragraph's inline comment
            if not silent:
                state.line = line + 1
            return True
        line += 1
        at = state.bMarks[line] if line < end else 0
    return False


def _comment_inline(state, silent: bool) -> bool:  # noqa: ANN001
    if not state.src.startswith("<!--", state.pos):
        return False
    close = state.src.find("-->", state.pos + 4)
    if close < 0:
        return False
    state.pos = close + 3
    return True


_md.block.ruler.before("paragraph", "comment", _comment_block, {"alt": ["paragraph", "reference", "blockquote"]})
_md.inline.ruler.before("autolink", "comment", _comment_inline)


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicated keys instead of keeping the last silently,
    and reads numbers and dates Python cannot hold as the text they were written as."""

    def construct_object(self, node, deep=False):  # noqa: ANN001
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed in front matter", key_node.start_mark
                )
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

    def _as_text_on_error(self, node, construct):  # noqa: ANN001
        try:
            return construct(self, node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def _number_as_written(self, node, construct):  # noqa: ANN001
        """A number only when Python writes it back as the article did: YAML 1.1 reads
        ``24:00`` as 1440 (base 60), ``010`` as 8 (octal) and ``1.10`` as 1.1, and a title or
        an outlet must keep what was written."""
        value = self._as_text_on_error(node, construct)
        return value if isinstance(value, str) or str(value) == node.value else self.construct_scalar(node)

    def construct_yaml_int(self, node):  # noqa: ANN001
        return self._number_as_written(node, _BaseLoader.construct_yaml_int)

    def construct_yaml_float(self, node):  # noqa: ANN001
        return self._number_as_written(node, _BaseLoader.construct_yaml_float)

    def construct_yaml_timestamp(self, node):  # noqa: ANN001
        return self._as_text_on_error(node, _BaseLoader.construct_yaml_timestamp)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


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
    # Front matter opens the file; blank lines before it are an editor's slip, not text (its
    # YAML was published as the article). Hugo's TOML between '+++' lines is not read here.
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if lines and lines[start].rstrip() == "+++":
        raise FrontMatterError("TOML front matter ('+++') is not read: write it as YAML between '---' lines", start + 1)
    if lines and _BOUNDARY.match(lines[start]):
        closing = next((i for i in range(start + 1, len(lines)) if _BOUNDARY.match(lines[i])), None)
        if closing is None:
            raise FrontMatterError(f"front matter opened with '---' on line {start + 1} is never closed "
                                   "(add a '---' line after it)", start + 1)
        # Split by line, not by python-frontmatter's regex (which swallows blank lines),
        # so YAML errors keep the file's own line numbers.
        front = "\n".join(lines[start + 1:closing])
        body = "\n".join(lines[closing + 1:])
        try:
            metadata = _load_front_matter(front)
        except FrontMatterError as exc:  # its line counts from an opening '---' on line 1
            raise FrontMatterError(str(exc), exc.line + start if exc.line is not None else None) from None
        for number, line in enumerate(lines[start + 1:closing], start=start + 2):
            match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
            if match:
                key_lines.setdefault(match.group(1), number)
    prose = plain_prose(body)
    if prose is not None:
        return ParsedMarkdown(metadata, key_lines, prose[0], prose[1], None)
    tokens = _md.parse(body)
    # A body that opens with a heading, in a file whose front matter gives no title: that
    # heading is the page's title, its <h1>, and is not repeated below it as an <h2>.
    if (tokens and tokens[0].type == "heading_open" and len(tokens) > 3 and _plain(tokens[1])
            and not str(metadata.get("title") or "").strip()):
        heading, tokens = _plain(tokens[1]), tokens[3:]
    else:
        heading = None
    paragraphs: list[str] = []
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        plain = _plain(token)
        if index and tokens[index - 1].type == "heading_open":
            heading = heading or plain
        elif plain:
            paragraphs.append(plain)
    # The page's title is its one <h1>: the body's headings sit below it, its highest at <h2>
    # whether written "#" or "##" (most Markdown keeps "#" for the title: "##" was <h3>, a
    # level skipped), the rest as many levels below as written, down to <h6>.
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = 2 - min(levels, default=2)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    html = _reachable(_md.renderer.render(tokens, _md.options, {}))
    return ParsedMarkdown(metadata, key_lines, html, tuple(paragraphs), heading)


def _reachable(html: str) -> str:
    """The renderer's HTML (its own tags: an article's text is escaped) made for every reader:
    a code block or a table wider than a phone scrolls inside its box, which a keyboard must
    reach (tabindex); images load only when scrolled to, and tell their hosts nothing of the
    page that shows them."""
    if "<pre>" in html:
        html = html.replace("<pre>", '<pre tabindex="0">')
    if "<table>" in html:
        html = html.replace("<table>", '<div class="table" tabindex="0"><table>').replace("</table>", "</table></div>")
    if "<img " in html:
        html = html.replace("<img ", '<img loading="lazy" referrerpolicy="no-referrer" ')
    return html


# Plain prose: paragraphs of text in which no Markdown construct can start but code spans.
# Most articles are this, and markdown-it takes half the time of reading one;
# tests/test_content.py checks the shortcut against markdown-it on generated text.
_INLINE_SYNTAX = "\\*[]<~|\x00\r"  # escapes, emphasis, links, autolinks, strikethrough, tables
# Character references, as markdown-it's entity rule reads them: scraped news is full of
# "&amp;" and "&#8217;", and leaving those to markdown-it sent one article in six through it.
_ENTITY = re.compile(r"&(?:#(x[a-f0-9]{1,6}|[0-9]{1,7})|([a-z][a-z0-9]{1,31}));", re.IGNORECASE)
# "_" is text where it can neither open nor close emphasis: wire copy's " _ " dash, and
# inside words (@Morning_Joe); anywhere else it might be markup. The pattern opens with
# the "_" itself so that re skips to each one: lookbehinds first cost ~40 ns a character,
# more than the rest of the shortcut on a wire story dashed with " _ ".
_LITERAL_UNDERSCORE = re.compile(r"_(?:(?<= _)(?= )|(?<=[^\W_]_)(?=[^\W_]))")
_BLOCK_START = frozenset("#>-+*=~|:0123456789")  # headings, quotes, lists, rules, ~~~ fences, setext
# Backticks stay: old newswire writes its quotes ``like this'', and CommonMark makes code
# spans of them. Only a line opening with three or more is something else (a fence).
_BACKTICKS = re.compile(r"`+")


def plain_prose(body: str) -> tuple[str, tuple[str, ...]] | None:
    """(HTML, paragraphs) exactly as markdown-it renders ``body``, when it is plain prose;
    else None. Conservative: anything that might be Markdown is left to markdown-it."""
    # str's `in` runs in C; most bodies have none of these, so no regex runs at all
    if any(mark in body for mark in _INLINE_SYNTAX):
        return None
    if "_" in body and "_" in _LITERAL_UNDERSCORE.sub("", body):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in body.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
        elif line[0].isspace() or line[-1].isspace() or line[0] in _BLOCK_START or line.startswith("```"):
            return None
        else:
            paragraphs[-1].append(line)
    html: list[str] = []
    texts: list[str] = []
    for lines in paragraphs:
        if lines:
            block_html, text = _inline("\n".join(lines))
            html.append(f"<p>{block_html}</p>\n")
            text = " ".join(text.split())
            if text:  # a paragraph of blank code spans has no text, and markdown-it's caller drops it
                texts.append(text)
    return "".join(html), tuple(texts)


def _inline(block: str) -> tuple[str, str]:
    """(HTML, plain text) of a paragraph whose only inline constructs are code spans and
    character references."""
    if "`" not in block:
        return _text(block)
    runs = list(_BACKTICKS.finditer(block))
    # A string of n backticks closes at the next string of exactly n, else it is text.
    # Found in one pass from the end, so a hostile paragraph of backticks stays linear.
    closer: dict[int, int] = {}
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index].end() - runs[index].start()
        if length in last_of_length:
            closer[index] = last_of_length[length]
        last_of_length[length] = index
    html: list[str] = []
    text: list[str] = []
    done = 0  # block[:done] is rendered
    index = 0
    while index < len(runs):
        if index not in closer:
            index += 1
            continue
        opener, closing = runs[index], runs[closer[index]]
        before_html, before = _text(block[done:opener.start()])
        code = _code_span_content(block[opener.end():closing.start()])  # references stay as written
        html += (before_html, "<code>", _escape(code), "</code>")
        text += (before, code)
        done = closing.end()
        index = closer[index] + 1
    rest_html, rest = _text(block[done:])
    html.append(rest_html)
    text.append(rest)
    return "".join(html), "".join(text)


def _text(raw: str) -> tuple[str, str]:
    """(HTML, plain text) of text outside code spans: character references read, as
    markdown-it reads them, and what they stand for escaped (it may be "<")."""
    if "&" not in raw:
        return _escape(raw), raw
    text = _ENTITY.sub(_reference, raw)
    return _escape_all(text), text


def _reference(match: re.Match[str]) -> str:
    number, name = match.groups()
    if name is not None:
        return _ENTITIES.get(name, match.group(0))
    code = int(number[1:], 16) if number[0] in "xX" else int(number)
    return chr(code) if isValidEntityCode(code) else "\ufffd"


def _code_span_content(raw: str) -> str:
    # CommonMark: line endings become spaces, and one space comes off each end when both
    # ends have one, so `` `a` `` can show a backtick; a span of only spaces keeps them all.
    content = raw.replace("\n", " ")
    if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
        content = content[1:-1]
    return content


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace(">", "&gt;").replace('"', "&quot;")  # the body has no "<"


def _escape_all(text: str) -> str:
    return _escape(text).replace("<", "&lt;")


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[str, int]:
    """The message and file line of a YAML error. PyYAML marks where it gave up; for a
    quote or a bracket left open, that is the end of the front matter, and the mistake
    is where the quote or bracket opened, which it gives as the context."""
    def line(mark: yaml.Mark) -> int:
        return mark.line + 2  # YAML counts from 0, and the opening '---' is line 1 of the file
    opened = exc.context_mark is not None and (exc.context or "").startswith(
        ("while scanning a quoted scalar", "while parsing a flow", "while scanning a simple key"))
    if opened and exc.problem_mark is not None and exc.problem_mark.line != exc.context_mark.line:
        return (f"invalid YAML front matter: {exc.context} that starts here, "
                f"{exc.problem} on line {line(exc.problem_mark)}", line(exc.context_mark))
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    return f"invalid YAML front matter: {problem}{_YAML_HINTS.get(problem, '')}", line(mark) if mark else 2


# What a newsroom's front matter trips on most, and how to write it: headlines hold colons and quotes.
_QUOTE_IT = ": a value holding "
_YAML_HINTS = {
    "mapping values are not allowed in this context":
        f"{_QUOTE_IT}': ' (a headline such as 'Storm: roads closed') must be quoted: title: \"Storm: roads closed\"",
    "did not find expected key":
        "; a value that starts with a quote must end with it: quote the whole value with \"…\", or write a ' "
        "inside '…' as '' ('It''s here')",
    "found character that cannot start any token":
        f"{_QUOTE_IT}@ or ` at its start, or a tab, must be quoted, and YAML indents with spaces, not tabs",
    "found a tab character that violates indentation": ": YAML indents with spaces, not tabs",
}


def _load_front_matter(front: str) -> dict[str, Any]:
    try:
        _scan(front)
        data = _FRONT_MATTER.load(front, Loader=_StrictLoader)  # a SafeLoader subclass
    except FrontMatterError:
        raise
    except yaml.MarkedYAMLError as exc:
        raise FrontMatterError(*_yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"invalid YAML front matter: {exc}", 2) from None
    except (ValueError, TypeError, OverflowError, RecursionError, ArithmeticError) as exc:
        raise FrontMatterError(f"invalid YAML front matter: {exc}", 2) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            f"front matter must be a mapping of keys to values (key: value lines), got {_kind(data)}", 2
        )
    return {_clean(str(k)): _clean_value(v) for k, v in data.items()}


def _scan(front: str) -> None:
    """Refuse aliases, bombs and deep nesting before anything recursive sees the YAML."""
    depth = nodes = 0
    for event in yaml.parse(front, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            raise FrontMatterError(
                f"YAML aliases (*{event.anchor}) are not allowed in front matter", event.start_mark.line + 2
            )
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > _MAX_YAML_NODES:
                raise FrontMatterError(
                    f"front matter has too many values (limit: {_MAX_YAML_NODES})", event.start_mark.line + 2
                )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_YAML_DEPTH:
                raise FrontMatterError(
                    f"front matter is nested too deeply (limit: {_MAX_YAML_DEPTH} levels)", event.start_mark.line + 2
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


_UNSAFE_CHARS = re.compile(f"[\x00-\x08\x0b\x0e-\x1f\x7f{NONCHARACTERS}]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _clean(text: str) -> str:
    """No control characters or lone surrogates (YAML escapes can make both): they break HTML and UTF-8."""
    return _SURROGATES.sub("\ufffd", _UNSAFE_CHARS.sub("", text))


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    return value


def _kind(value: Any) -> str:
    return {str: "text", list: "a list", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _plain(token) -> str:  # noqa: ANN001
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())
