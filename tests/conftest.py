"""Shared fixtures: small sites written into tmp_path, built in-process or through the CLI."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from digestgen.build import build
from digestgen.config import Paths

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _restore_digestgen_logger():
    """cli.main() configures the 'digestgen' logger for a terminal; undo that after each test
    so tests that read logs with caplog see them whatever ran before."""
    logger = logging.getLogger("digestgen")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


def browser_unavailable(reason: str) -> None:
    """Skip a browser test with its reason; in CI (which installs the browser) fail instead,
    so a broken install can never pass as a green run that tested nothing."""
    if os.environ.get("DIGESTGEN_REQUIRE_BROWSER"):
        pytest.fail(f"browser test cannot run: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path relative to the site root -> text or bytes) and return the root."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


def article(title: str, body: str, **meta: str) -> str:
    """A Markdown article with YAML front matter."""
    lines = ["---", f"title: {json.dumps(title)}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in meta.items()]
    return "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).strip() + "\n"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digestgen", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, for byte-for-byte comparisons."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_site(root: Path, **options):  # noqa: ANN003, ANN201
    return build(Paths.for_site(root), **options)


def load_digest(root: Path) -> dict:
    return json.loads((root / "output" / "digest.json").read_text(encoding="utf-8"))


# Two outlets' versions of one invented event, and an unrelated article.
QUAKE_A = article(
    "Magnitude 6.8 earthquake strikes off the coast of Valparaiso, Chile",
    """
    A magnitude 6.8 earthquake struck off the coast of Valparaiso, Chile, on Tuesday
    morning, shaking buildings in Santiago and prompting a brief tsunami alert, the
    national emergency office said. No deaths were reported in Valparaiso.

    Chile's navy lifted the tsunami warning after an hour.
    """,
    date="2021-03-02 09:15", source="Andes Wire", url="https://andeswire.example/quake",
)
QUAKE_B = article(
    "Strong quake rattles Valparaiso and Santiago; tsunami alert lifted",
    """
    A strong magnitude 6.8 earthquake rattled Valparaiso and the Chilean capital
    Santiago on Tuesday. The Chilean navy issued a tsunami alert for the coast near
    Valparaiso and lifted it an hour later. The emergency office reported no deaths.
    """,
    date="2021-03-02 11:40", source="Pacific Daily", url="https://pacificdaily.example/news/chile-quake",
)
BAKERY = article(
    "Town bakery wins national prize for sourdough loaf",
    """
    A family bakery in the market town of Ludlow has won the national bread award
    for its sourdough loaf, judges announced on Friday. The bakers credited a
    starter culture kept alive for forty years.
    """,
    date="2021-05-14", source="County Gazette",
)


@pytest.fixture
def news_site(tmp_path: Path) -> Path:
    return write_site(tmp_path, {
        "content/quake-andes.md": QUAKE_A,
        "content/world/quake-pacific.md": QUAKE_B,
        "content/bakery.md": BAKERY,
    })
