"""The fixture site in tests/fixtures/basic builds to exactly tests/golden/basic, file by file.

After an intended change to the output, regenerate the golden copy with:

    DIGESTGEN_REGENERATE_GOLDEN=1 pytest tests/test_golden.py

and review the diff (`git diff tests/golden`) before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import snapshot
from digestgen.build import build
from digestgen.config import Paths

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "basic"
GOLDEN = HERE / "golden" / "basic"


def test_fixture_site_matches_golden_output(tmp_path: Path):
    out = tmp_path / "output"
    # The fixture folder is never written to: no lock, no cache inside the repository.
    build(Paths.for_site(FIXTURE, output=out, cache=tmp_path / "cache"), update_lock=False)
    if os.environ.get("DIGESTGEN_REGENERATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    built, golden = snapshot(out), snapshot(GOLDEN)
    assert sorted(built) == sorted(golden), "files added or missing; see the module docstring to regenerate"
    for name in golden:
        assert built[name].decode("utf-8", "replace") == golden[name].decode("utf-8", "replace"), name


def test_pages_made_on_worker_processes_match_the_golden_output_too(tmp_path: Path, monkeypatch):
    # A big site's pages are made on forked workers, which write them into the next site's
    # folder themselves; the fixture is small, so make it take that path.
    from digestgen import site as rendering

    monkeypatch.setattr(rendering, "_PARALLEL_FROM", 1)
    out = tmp_path / "output"
    build(Paths.for_site(FIXTURE, output=out, cache=tmp_path / "cache"), update_lock=False)
    assert snapshot(out) == snapshot(GOLDEN)
