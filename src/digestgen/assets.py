"""Static files of the theme and the site, read from disk and named for long-lived caching."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from . import cache
from .output import OutputFile
from .render import theme_dir

FINGERPRINTED = (".css", ".js")
# A file named by its content's hash never changes, so hosts (and the preview) may let
# browsers keep it: "style.3f2a9c1b0d.css".
HASHED_NAME = re.compile(r"\.[0-9a-f]{10}\.(?:css|js)\Z")


def hashed(path: str, data: bytes) -> str:
    """``path`` named by a hash of ``data``: ``static/style.css`` -> ``static/style.3f2a9c1b0d.css``."""
    stem, dot, suffix = path.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{suffix}"


def static_files(*folders: Path) -> tuple[list[OutputFile], dict[str, str]]:
    """Static files of the theme, then the site's (which win); CSS and JS get content hashes
    in their names so hosts can cache them for a year. Returns the files and a map from
    logical name (``style.css``) to output path (``static/style.1a2b3c4d.css``).

    Those are published under their own names too: a style sheet's ``@import "base.css"``
    and a script's ``import ... from "./helper.js"`` name the files as they were written,
    and must find them (a page links the hashed name, through ``assets``)."""
    chosen: dict[str, Path] = {}
    for folder in folders:
        chosen |= _files_in(folder, lambda part: part.startswith("."))
    files, names = [], {}
    for rel, path in sorted(chosen.items()):
        data = path.read_bytes()
        target = PurePosixPath("static", rel)
        if target.suffix in FINGERPRINTED:
            files.append(OutputFile(target.as_posix(), data, str(path)))
            target = PurePosixPath(hashed(target.as_posix(), data))
        names[rel] = target.as_posix()
        files.append(OutputFile(target.as_posix(), data, str(path)))
    return files, names


# What operating systems, version control and editors leave in a folder: never published.
_LEFTOVERS = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".git", ".gitignore", ".gitkeep", ".svn", ".hg"})


def root_files(folder: Path) -> list[OutputFile]:
    """The site's ``files/``, published as they are at the output's root: what hosts and
    crawlers look for there (CNAME, favicon.ico, ads.txt, .htaccess, .well-known/). Hidden
    files are kept, unlike static/'s; leftovers of systems and editors are not."""
    def leftover(part: str) -> bool:
        return part in _LEFTOVERS or part.endswith(("~", ".swp", ".swx")) or part.startswith(".#")

    return [OutputFile(rel, path.read_bytes(), str(path)) for rel, path in sorted(_files_in(folder, leftover).items())]


def _files_in(folder: Path, skipped) -> dict[str, Path]:  # noqa: ANN001
    """Files under ``folder`` by their relative path, but those with a ``skipped`` name part.
    A symlink may point anywhere (/etc/passwd): only what stays inside is taken."""
    found: dict[str, Path] = {}
    if folder.is_dir():
        root = folder.resolve()
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and not any(map(skipped, PurePosixPath(rel).parts)) and path.resolve().is_relative_to(root):
                found[rel] = path
    return found


def site_static(site_static_folder: Path, site_files_folder: Path | None = None) -> tuple[list[OutputFile], dict[str, str], str]:
    """The theme's and the site's static files, as static_files() gives them, and the salt of
    every page's fingerprint: a page names the static files, so when one is renamed (its
    content changed), every page is made again. A site with its own ``favicon.ico`` (in
    ``files/``) and no ``favicon.svg`` goes without the theme's: browsers take the icon a
    page links over the one at the root, and the site's would never show."""
    files, names = static_files(theme_dir() / "static", site_static_folder)
    if (site_files_folder is not None and (site_files_folder / "favicon.ico").is_file()
            and not (site_static_folder / "favicon.svg").is_file()):
        files = [f for f in files if f.path != names.get("favicon.svg")]
        names.pop("favicon.svg", None)
    return files, names, cache.inputs_fingerprint([names])
