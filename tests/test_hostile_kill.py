"""Nothing is lost: SIGKILL a build at several points; output/ must stay the previous build,
byte for byte, and the next build must succeed (stale staging folders and all)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORDS = ("minister parliament storm flood court verdict market shares election vote police arrest "
         "hospital vaccine football final satellite launch bridge collapse strike union border talks").split()


def _articles(content: Path, count: int, start: int = 0, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(start, start + count):
        topic = rng.sample(WORDS, 4)
        body = " ".join(rng.choice(WORDS) for _ in range(120))
        (content / f"art-{i:04}.md").write_text(
            f"---\ntitle: {' '.join(topic).title()} report {i}\nsource: Outlet {i % 9}\n"
            f"date: 2024-03-{1 + i % 28:02}\n---\n\n{body}.\n\n{body[::-1]}.\n",
            encoding="utf-8",
        )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


LOCK = ".stories.json"  # the documented story-lock file: the one thing a build may write in content/


def _articles_only(content: Path) -> dict[str, bytes]:
    snap = _snapshot(content)
    lock = snap.pop(LOCK, None)
    if lock is not None:
        json.loads(lock)  # written atomically: never half a file, even after a kill
    return snap


def _build_cmd(site: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; from digestgen.cli import main; sys.exit(main(sys.argv[1:]))",
            "build", "--site", str(site), "-q"]


def _run(site: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(_build_cmd(site), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def test_sigkill_at_any_point_leaves_the_previous_output(tmp_path):
    site = tmp_path / "site"
    content = site / "content"
    content.mkdir(parents=True)
    _articles(content, 200)
    _run(site)
    previous = original = _snapshot(site / "output")
    # Change the content so that a completed build would produce a different site.
    _articles(content, 20, start=200, seed=8)
    (content / "art-0000.md").unlink()
    content_before = _articles_only(content)
    duration = _run_reference(tmp_path, content)
    kills = 0
    outcomes = []
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95):
        # Each attempt starts cold, like the reference: a killed build may have cached its
        # parsed articles, and a warm build would finish before the later kill points.
        shutil.rmtree(site / ".digestgen-cache", ignore_errors=True)
        proc = subprocess.Popen(_build_cmd(site), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        now = _snapshot(site / "output")
        if finished or proc.returncode == 0:
            outcomes.append("completed")
            break  # the site changed legitimately: later kills would compare against a new build
        if now != previous:
            # Only allowed when the kill came after the atomic swap, while the old build was
            # being deleted: then output/ must be the complete new build.
            digest = json.loads(now["digest.json"])
            pages = [e["url"] for st in digest["stories"] for e in st["entries"]] + [st["url"] for st in digest["stories"]]
            assert pages and all(p in now for p in pages), f"incomplete output after a kill at {fraction:.0%}"
            assert not any("art-0000" in k for k in now)
            previous = now
            outcomes.append(f"killed@{fraction:.0%} after the swap")
            continue
        outcomes.append(f"killed@{fraction:.0%}")
    assert kills >= 4, outcomes
    assert _articles_only(content) == content_before  # articles never written to
    _run(site)  # a following build succeeds despite the leftovers...
    leftovers = [*site.iterdir(), *(site / ".digestgen-cache").iterdir()]
    assert not [p.name for p in leftovers if ".building-" in p.name or ".previous-" in p.name]  # ...and tidies them
    after = _snapshot(site / "output")
    assert after != original
    assert not any("art-0000" in k for k in after)  # files of the deleted article are gone
    assert _articles_only(content) == content_before


def _run_reference(tmp_path: Path, content: Path) -> float:
    """How long a full build of the new content takes here, measured on a copy."""
    ref = tmp_path / "ref"
    (ref / "content").mkdir(parents=True)
    for p in content.iterdir():
        if p.is_file() and p.suffix == ".md":
            (ref / "content" / p.name).write_bytes(p.read_bytes())
    return _run(ref)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux /proc")
def test_a_killed_build_leaves_no_worker_behind(tmp_path):
    # SIGKILL (the OOM killer, a CI timeout) gives a build no chance to stop its workers;
    # left behind, they would wait forever on a queue nobody writes, holding its memory.
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    _articles(site / "content", 1500)
    proc = subprocess.Popen(_build_cmd(site), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _children(proc.pid):  # the workers that read the articles
            assert proc.poll() is None and time.monotonic() < deadline, "no workers seen"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _left_running(site) == []
    finally:
        for pid in _left_running(site, patience=0):
            os.kill(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command name)"
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _left_running(site: Path, patience: float = 5.0) -> list[int]:
    """Processes still at a build of ``site`` once ``patience`` seconds have passed (Linux
    /proc; elsewhere none are seen). A killed build's workers must go with it: left
    behind, they wait forever on a queue nobody writes, each holding a copy of its memory."""
    needle = str(site).encode()
    deadline = time.monotonic() + patience
    while True:
        left = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if needle in (entry / "cmdline").read_bytes():  # empty for a zombie
                    left.append(int(entry.name))
            except OSError:
                continue
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def test_ctrl_c_while_pages_render_stops_the_build_at_once_and_cleanly(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while pages render:
    the build went on until every page was made, and a worker sometimes printed a traceback
    over the terminal, or broke the pool and the build exited 1 instead of 130."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    _articles(site / "content", 2500)
    done = subprocess.run([*_build_cmd(site)[:-1], "--profile"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    render = float(next(line.split()[1] for line in done.stderr.splitlines() if line.startswith("render")))
    before = _snapshot(site / "output")
    shutil.rmtree(site / ".digestgen-cache")  # every page to make again
    proc = subprocess.Popen(_build_cmd(site)[:-1], stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in proc.stderr:  # progress lines, plain on a pipe
            if "rendering pages" in line:
                break
        time.sleep(min(0.3, render / 4))
        interrupted = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        rest = proc.stderr.read()
        code = proc.wait(timeout=60)
        took = time.perf_counter() - interrupted
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    assert code == 130 and "interrupted" in rest and "Traceback" not in rest, rest
    assert took < max(0.5, render / 2), (took, render)  # not after every page is made
    assert _snapshot(site / "output") == before
    assert not list(site.glob(".output.building*")) and not list((site / ".digestgen-cache").glob("*building*"))
    assert _left_running(site) == []
