"""``sitemap.xml`` (sitemaps.org protocol 0.9) and the ``robots.txt`` that points to it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterable

from .config import Config
from .output import OutputFile
from .pages import Page, site_url

SITEMAP = "sitemap.xml"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # the protocol's limit for one file


def sitemap_xml(pages: Iterable[Page], config: Config) -> OutputFile:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    listed = [p for p in pages if p.in_sitemap and p.path.endswith(".html")]
    for page in sorted(listed, key=lambda p: (p.path != "index.html", p.path))[:MAX_URLS]:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = site_url(config, page.path, SITEMAP)
        if page.lastmod:
            stamp = page.lastmod if page.lastmod.tzinfo else page.lastmod.replace(tzinfo=config.tzinfo)
            ET.SubElement(url, "lastmod").text = stamp.astimezone(config.tzinfo).replace(microsecond=0).isoformat()
    ET.indent(root, space="  ")
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"
    return OutputFile(SITEMAP, data, "the sitemap")


def robots_txt(config: Config) -> OutputFile:
    lines = ["User-agent: *", "Allow: /", ""]
    if config.base_url:
        lines.append(f"Sitemap: {config.base_url}{SITEMAP}")
    else:
        lines.append(f"# Sitemap: set base_url in digestgen.toml to announce {SITEMAP} here (it must be an absolute URL)")
    return OutputFile("robots.txt", ("\n".join(lines) + "\n").encode("utf-8"), "robots.txt")
