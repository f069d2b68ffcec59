"""Pages that keep old story URLs working after stories merged or were renamed."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from html import escape
from typing import Mapping

from markupsafe import Markup

from .config import Config
from .feeds import story_feed
from .i18n import Messages
from .models import Story
from .output import OutputFile
from .pages import site_url, story_feed_path, story_path

_PAGE = """<!doctype html>
<html lang="{lang}"{dir}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{moved}</title>
<link rel="canonical" href="{canonical}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={href}">
</head>
<body>
<p>{moved_to}</p>
</body>
</html>
"""


def redirect_pages(redirects: Mapping[str, str], stories: Mapping[str, Story], config: Config,
                   messages: Messages) -> list[OutputFile]:
    """``stories/<old>/index.html`` pointing at ``stories/<new>/index.html``, named by the story's
    title; and at ``stories/<old>/feed.xml`` the story's feed, since a feed cannot redirect and
    its readers would otherwise lose the story. ``stories`` maps every slug to its story.

    Slugs are ``[a-z0-9-]`` only, so the relative link cannot leave the site.
    """
    files = []
    for old, new in sorted(redirects.items()):
        story = stories[new]
        moved = replace(story, slug=old)  # where it was
        href = posixpath.relpath(story_path(story), posixpath.dirname(story_path(moved)))
        canonical = site_url(config, story_path(story), story_path(moved))
        link = Markup('<a href="{}">{}</a>').format(href, story.title)
        html = _PAGE.format(
            lang=escape(messages.language), dir=' dir="rtl"' if messages.direction == "rtl" else "", href=escape(href), canonical=escape(canonical),
            moved=messages.gettext("Moved: %(story)s", story=story.title),  # Markup: the title escaped
            moved_to=messages.gettext("This story has moved to %(link)s.", link=link),
        )
        files.append(OutputFile(story_path(moved), html.encode("utf-8"), f"redirect from story {old!r}"))
        feed = story_feed(story, config)
        files.append(OutputFile(story_feed_path(moved), feed.data, f"the feed of story {new!r}, at its old address {old!r}"))
    return files
