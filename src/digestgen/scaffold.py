"""``digestgen new PATH``: a working site to start from."""

from __future__ import annotations

from pathlib import Path

from .config import CACHE_DIRNAME, CONFIG_FILENAME


class ScaffoldError(Exception):
    pass


CONFIG_TEMPLATE = """\
# digestgen site configuration. Every option is shown; the commented ones hold their defaults.
# Unknown keys are errors, so a typo never goes unnoticed.

# The site's name, shown in the masthead, page titles and feeds.
title = "My News Digest"

# One line under the masthead, in the index's meta description and the feeds.
description = "Every version of the day's news, side by side"

# The public address of the site, with its path if it lives under one. Feeds, the sitemap,
# robots.txt and canonical links need it to give absolute URLs; without it the build warns
# and they use relative links. Pages themselves always link relatively, so the same build
# works at a domain root, under a subpath, or opened from disk.
# base_url = "https://example.org/news/"

# The language of the site: <html lang>, dates, and the theme's own words (menus, headings,
# "3 versions"), which digestgen has in en, de, fr, es, it, pt and nl. Another language tag
# is allowed: give the theme's words under [translations] at the end of this file.
# language = "en"

# The IANA time zone dates are shown in; dates in articles without an offset are read in it.
# timezone = "UTC"

# Stories on each page of the digest; later ones go to page/2/index.html and on.
# page_size = 20

# The author named in the feeds; the title when empty.
# author = ""

# Stories in feed.xml and feed.json (each story also has its own feed).
# feed_size = 20

# Leave out articles dated more than this many days before the build; 0 keeps every article.
# expire_after_days = 0

# How articles are grouped into stories; leave unset for the algorithm's defaults.
# [grouping]
# How alike two versions must be to count as one story, from 0 to 1.
# threshold = 0.15
# How alike two stories must be to be listed as related, from 0 to 1.
# related_threshold = 0.1

# The theme's words, as you want them: its English text = your words. They go over the
# language's own. Every word is listed in digestgen/translations/en.toml in the installed
# package, and each shipped language in <language>.toml beside it. A count has a form per
# plural category: one, other, and for some languages zero, two, few, many. Dates are
# words too: the months, and the order of day, month and year.
# [translations]
# "Latest" = "Front page"
# "%(num)s version" = { one = "%(num)s report", other = "%(num)s reports" }
# "%(day)s %(month)s %(year)s" = "%(month)s %(day)s, %(year)s"
"""

SAMPLE_ARTICLE = """\
---
title: "Welcome to your news digest"
date: "{date}"
source: "The Digest Desk"
author: "The Editor"
tags: ["about"]
summary: "How this site works: drop articles into content/, build, publish the output folder."
---

This is a sample article. Put one file per article in the `content/` folder: Markdown with
front matter like this one, or plain text. Articles from different outlets that report the
same event are grouped into one story, and each story shows every version side by side.

Front matter keys: `title`, `date`, `updated`, `source` (the outlet), `url` (the original),
`author`, `tags`, `story` (pin the article to a story slug), `summary`, `language` (the
article's language, such as `fr`, when it is not the site's), and `draft: true` to
keep an article out of the site until you build with `--drafts`. Articles dated in the future
wait for their date unless you build with `--future`.

Build the site with `digestgen build` and open `output/index.html`.
"""

TEMPLATES_README = """\
# Overriding the theme

Files in this folder replace the default theme's files of the same name, one by one. Copy a
template from the default theme (in the installed package, `digestgen/templates/`) and edit it:

- `base.html`: the page frame (head, masthead, navigation, search box, footer)
- `index.html`: the digest and its pages
- `story.html`, `article.html`: a story with every version, and one version
- `related.html`: every story on one subject, where a story page lists only the newest
- `sources.html`, `source.html`, `archive.html`, `month.html`, `tags.html`, `tag.html`,
  `search.html`, `404.html`, `_macros.html`

A template here can extend the original as `default/<name>`, for example
`{% extends "default/base.html" %}`, and fill its blocks. `_macros.html` holds macros, not
blocks: to change one, copy the whole file here and edit it (a file that extends it cannot
replace its macros). Static files (CSS, JS, images) go in the site's
`static/` folder beside this one and replace the theme's files of the same name; CSS and JS
get content hashes in their names, so link them as `assets['css/extra.css']` (their path
under `static/`). To add something to every page, extend `default/base.html` here and fill
its `site_head` or `site_scripts` block, which the theme's pages leave to you. Link to pages
with `url('path/index.html')` so the site keeps working under a subpath and from disk. Write what readers see as `_("Words")` (or
`ngettext(...)`, `{% trans %}`) so it comes out in the site's language; give the words for a
language digestgen does not know under `[translations]` in digestgen.toml.
"""


def create_site(path: Path, *, date: str = "2024-01-01") -> list[Path]:
    """Create a new site in ``path``, which must not exist or be an empty folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ScaffoldError("exists and is not a folder")
    if path.is_dir() and any(path.iterdir()):
        raise ScaffoldError("is not empty; choose a new or empty folder")
    files = {
        CONFIG_FILENAME: CONFIG_TEMPLATE,
        "content/welcome.md": SAMPLE_ARTICLE.format(date=date),
        "templates/README.md": TEMPLATES_README,
        "static/.keep": "",
        ".gitignore": f"output/\n{CACHE_DIRNAME}/\n",
    }
    created = []
    for rel, text in files.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        created.append(target)
    return created
