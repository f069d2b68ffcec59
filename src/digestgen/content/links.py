"""Relative links in an article's text: to another article of the site, or to the outlet's pages.

An article scraped from an outlet links that outlet's pages relatively (``/politics/123``):
on this site those addresses lead nowhere, so they are made absolute against the article's
original address. An article written for the site may link another by its file
(``[earlier](2020/quake.md)``): that link leads to the other article's page. Which page is
known only once every article has its slug, so reading leaves a marker (rebase_links) that
the build replaces (link_articles). Both work on the HTML the Markdown renderer made, whose
attributes are always double-quoted and escaped.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from hashlib import blake2b
from html import escape, unescape
from typing import Callable, Mapping, Sequence
from urllib.parse import quote, unquote, urljoin

from ..errors import Problem
from ..models import Entry
from .reading import ARTICLE_SUFFIXES

_MARKER = "digestgen-article:"  # never a scheme a browser knows: only ever seen between the two steps
_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
_MARKED = re.compile(r'href="' + _MARKER + r'([^" ]*) (\d+)"')
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def rebase_links(html: str, rel: str, original_url: str | None,
                 line_of: Callable[[str], int | None] = lambda address: None) -> tuple[str, list[str]]:
    """``html`` (the body of the article at content path ``rel``) with its relative links to
    article files marked for link_articles(), and its other relative links and images made
    absolute against ``original_url``, the article's address at its outlet (when it has one);
    and the relative addresses it could do neither with, as written. Those are left as they
    are: on this site they lead to a page under the article's own address, which is none
    (``press/statement.html``), and the build warns. An address from the domain's root
    (``/about/``) is left as it is too: a site at a domain's root may well have that page.
    ``line_of(address)`` finds the line of the file an address is written on, for the
    marker to carry: link_articles() names it when the linked file is no published article."""
    stranded: list[str] = []
    if 'href="' not in html and 'src="' not in html:
        return html, stranded

    def rebased(match: re.Match[str]) -> str:
        attribute, value = match.group(1), unescape(match.group(2))
        if not value or value.startswith(("#", "//")) or _SCHEME.match(value):
            return match.group(0)  # a fragment of this page, or an absolute address
        path, rest = _split(value)
        if attribute == "href" and path.lower().endswith(ARTICLE_SUFFIXES) and not path.startswith("/"):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(path)))
            if not target.startswith("../"):
                # the file's own "#" and "?" escaped, the fragment's and query's kept: told apart
                line = line_of(value) or line_of(unquote(value))  # as written: "Müller.md", not "M%C3%BCller.md"
                return f'href="{_MARKER}{quote(target)}{quote(rest, safe="#?/=&")} {line or 0}"'
        if original_url:
            return f'{attribute}="{escape(urljoin(original_url, value))}"'
        if not value.startswith("/"):
            stranded.append(value)
        return match.group(0)

    return _ATTRIBUTE.sub(rebased, html), stranded


def link_articles(entries: Sequence[Entry], slugs: Mapping[str, str]) -> tuple[list[Entry], list[Problem]]:
    """``entries`` with the links rebase_links() marked made links to the linked articles' pages,
    as seen from an article's page (``../<slug>/index.html``); ``slugs`` maps every published
    article's source path to its slug. A link to a file that is no published article loses its
    address (its text stays), with a warning."""
    linked, problems = [], []
    for entry in entries:
        if _MARKER not in entry.body_html:
            linked.append(entry)
            continue

        targets: list[str] = []

        def resolved(match: re.Match[str], entry: Entry = entry, targets: list[str] = targets) -> str:
            path, fragment = _split(match.group(1))
            path, fragment = unquote(path), unquote(fragment)
            slug = slugs.get(path)
            targets.append(slug or "")
            if slug is None:  # a draft's or a typo's address would 404, and name the file
                problems.append(Problem(entry.source_path, int(match.group(2)) or None,
                                        f"links to {path!r}, which is not a published article: "
                                        "its text is published without the link", "warning"))
                return ""
            return f'href="../{slug}/index.html{escape(fragment)}"'

        body = _MARKED.sub(resolved, entry.body_html)
        # The entry's key names the file it was read from, and pages made from it are reused
        # while it holds: the pages it links to are part of it now.
        key = entry.key and entry.key + ">" + blake2b("/".join(targets).encode(), digest_size=8).hexdigest()
        linked.append(replace(entry, body_html=body, key=key))
    return linked, problems


def _split(address: str) -> tuple[str, str]:
    """``address`` as its path and what follows it (a query, a fragment)."""
    cut = min((i for i in (address.find("?"), address.find("#")) if i >= 0), default=len(address))
    return address[:cut], address[cut:]
