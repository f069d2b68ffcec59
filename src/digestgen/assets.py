"""Static files of the theme and the site, read from disk and named for long-lived caching."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from . import cache
from .output import OutputFile
from .render import theme_dir

FINGERPRINTED = (".css", ".js")


def static_files(*folders: Path) -> tuple[list[OutputFile], dict[str, str]]:
    """Static files of the theme, then the site's (which win); CSS and JS get content hashes
    in their names so hosts can cache them for a year. Returns the files and a map from
    logical name (``style.css``) to output path (``static/style.1a2b3c4d.css``)."""
    chosen: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            root = folder.resolve()
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(folder).as_posix()
                hidden = any(part.startswith(".") for part in PurePosixPath(rel).parts)
                # a symlink may point anywhere (/etc/passwd): publish only what stays inside
                if path.is_file() and not hidden and path.resolve().is_relative_to(root):
                    chosen[rel] = path
    files, names = [], {}
    for rel, path in sorted(chosen.items()):
        data = path.read_bytes()
        target = PurePosixPath("static", rel)
        if target.suffix in FINGERPRINTED:
            digest = hashlib.sha256(data).hexdigest()[:10]
            target = target.with_name(f"{target.stem}.{digest}{target.suffix}")
        names[rel] = target.as_posix()
        files.append(OutputFile(target.as_posix(), data, str(path)))
    return files, names


def site_static(site_static_folder: Path) -> tuple[list[OutputFile], dict[str, str], str]:
    """The theme's and the site's static files, as static_files() gives them, and the salt of
    every page's fingerprint: a page names the static files, so when one is renamed (its
    content changed), every page is made again."""
    files, names = static_files(theme_dir() / "static", site_static_folder)
    return files, names, cache.inputs_fingerprint([names])
