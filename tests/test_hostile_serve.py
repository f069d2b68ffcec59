"""The live preview under load: hundreds of concurrent requests during a burst of rebuilds,
hostile paths among them. No errors, no half-written file, nothing outside the site."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from test_serve import WAIT, request, version_of, wait_for_rebuild
from test_serve import site  # noqa: F401  (a fixture, used by name)

from digestgen.config import Paths
from digestgen.serve import Preview

REQUESTS = 400  # bounded: the test ends by itself, on loopback only
CLIENTS = 200  # at once
HOSTILE = [
    "/../digestgen.toml", "/%2e%2e/digestgen.toml", "/%2E%2E%2Fdigestgen.toml", "//etc/passwd",
    "/stories/..%2f..%2f..%2fdigestgen.toml", "/index.html%00", "/" + "a" * 5000, "/\\..\\digestgen.toml",
]


def test_hundreds_of_concurrent_requests_during_rebuilds(site: Paths) -> None:  # noqa: F811
    bakery = site.content / "bakery.md"
    original = bakery.read_text(encoding="utf-8")
    with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as preview:
        pages = ["/"] + ["/" + p.parent.relative_to(preview.root).as_posix() + "/"
                         for p in sorted(preview.root.glob("*/*/index.html"))]
        css = ["/" + p.relative_to(preview.root).as_posix() for p in preview.root.glob("static/style.*.css")]
        stop = threading.Event()
        rebuilds = [0]

        def edit_burst() -> None:
            number = 0
            while not stop.is_set() and number < 30:
                seen = version_of(request(preview.url, "/").text)
                bakery.write_text(original + f"\nEdit {number}.\n", encoding="utf-8")
                wait_for_rebuild(preview, seen)
                rebuilds[0] += 1
                number += 1

        def one(index: int) -> tuple[str, int, bytes]:
            if index % 10 == 9:
                path = HOSTILE[index // 10 % len(HOSTILE)]
            elif index % 10 == 8:
                path = css[0]
            else:
                path = pages[index % len(pages)]
            reply = request(preview.url, path, method="HEAD" if index % 17 == 0 else "GET")
            return path, reply.status, reply.body

        editor = threading.Thread(target=edit_burst)
        editor.start()
        started = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                replies = list(pool.map(one, range(REQUESTS)))
        finally:
            stop.set()
            editor.join(WAIT * 4)
        elapsed = time.monotonic() - started

    assert rebuilds[0] >= 1, "the load ran without any rebuild"
    assert len(replies) == REQUESTS
    for path, status, body in replies:
        if path in HOSTILE:
            assert status in (400, 404, 414), (path, status)
            assert b"title =" not in body and b"root:" not in body
        elif path.endswith(".css"):
            assert status == 200 and (not body or body.rstrip().endswith(b"}")), path
        else:
            assert status == 200, (path, status)
            assert not body or body.rstrip().endswith(b"</html>"), f"half a page for {path}"
    assert elapsed < 120
