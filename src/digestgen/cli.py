"""The command line: the only place that parses arguments and maps errors to exit codes.

Exit codes: 0 success, 1 content/config/template/output errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import re
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .config import CONFIG_FILENAME, Paths, base_url_problem
from .errors import DigestgenError

EXIT_OK, EXIT_BUILD_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)  # exits 2 on usage errors
    if unknown:  # said by the command's own parser, with its usage line, and the option meant
        command = parser.commands.get(args.command, parser)  # type: ignore[attr-defined]
        options = [o for action in command._actions for o in action.option_strings]
        near = difflib.get_close_matches(unknown[0].split("=", 1)[0], options, n=1)
        command.error(f"unrecognized arguments: {' '.join(unknown)}" + (f" (did you mean {near[0]}?)" if near else ""))
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    _configure_logging(args.quiet, args.verbose)
    return args.run(args)


class _Parser(argparse.ArgumentParser):
    """argparse, with the command meant named after a typo ("biuld": did you mean 'build'?),
    and no option taken from its first letters (--out for --output), as Hugo's and Zola's do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        wrong = re.match(r"argument \S+: invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if wrong:
            near = difflib.get_close_matches(wrong.group(1), re.findall(r"'([^']*)'", wrong.group(2)), n=1)
            message += f"; did you mean {near[0]!r}?" if near else ""
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="digestgen",
        description="Build a static news digest: articles from many outlets, grouped into stories, "
        "each story showing every source's version side by side.",
    )
    parser.add_argument("--version", action="version", version=f"digestgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = commands.choices  # type: ignore[attr-defined]  # name -> its parser, for main()

    build = commands.add_parser(
        "build",
        help="build the site into the output folder",
        description="Read articles from the content folder, group them into stories and write the "
        "static site into the output folder. The previous output is replaced only if the build succeeds.",
    )
    _site_options(build)
    build.add_argument("--strict", action="store_true", help="treat warnings (such as unparseable dates) as errors")
    build.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    build.add_argument("--future", action="store_true", help="include entries dated after the time of the build")
    build.add_argument("--profile", action="store_true", help="print the time each stage took")
    build.add_argument("--base-url", type=_base_url, metavar="URL",
                       help="the site's public address for this build, over base_url in the config "
                       "(a deploy preview published at another address)")
    build.set_defaults(run=_run_build)
    _add_serve(commands)
    _add_new(commands)
    return parser


def _add_new(commands) -> None:  # noqa: ANN001
    new = commands.add_parser(
        "new",
        help="create a new site",
        description="Create a working site in PATH: digestgen.toml with every option explained, "
        "a sample article, and a templates/ folder, holding a README on overriding the theme. PATH must be empty or absent.",
    )
    new.add_argument("path", type=Path, metavar="PATH", help="folder to create the site in")
    noise = new.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    noise.add_argument("-v", "--verbose", action="store_true", help="print more")

    def run(args: argparse.Namespace) -> int:
        from .scaffold import ScaffoldError, create_site

        try:
            created = create_site(args.path)
        except ScaffoldError as exc:
            print(f"{args.path}: {exc}", file=sys.stderr)
            return EXIT_BUILD_ERROR
        except OSError as exc:  # a parent that is a file, a folder that cannot be written to
            print(f"{args.path}: cannot create the site: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_BUILD_ERROR
        logging.getLogger("digestgen").info(
            "Created a new site in %s (%d files). Build it with: digestgen build --site %s",
            args.path, len(created), shlex.quote(str(args.path)),  # "two words" pasted as it is shown
        )
        return EXIT_OK

    new.set_defaults(run=run)


def _add_serve(commands) -> None:  # noqa: ANN001 - argparse's subparsers action has no public type
    serve = commands.add_parser(
        "serve",
        help="build, serve a live preview on localhost and rebuild on every save",
        description="Build the site into a private preview folder (never the output folder), serve it, "
        "and rebuild whenever content, templates, static files or the config change; open pages reload "
        "by themselves and show build errors over the page. Ctrl-C stops.",
    )
    _site_options(serve, output=False)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000, or the next free one; 0: any free port)")
    serve.add_argument("--poll", action="store_true", help="poll for changes instead of OS events (network drives, containers)")
    serve.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    serve.add_argument("--future", action="store_true", help="include entries dated in the future")

    def run(args: argparse.Namespace) -> int:
        from .serve import PreviewError
        from .serve import serve as run_preview

        if not 0 <= args.port <= 65535:
            serve.error(f"--port must be between 0 and 65535, got {args.port}")
        try:
            run_preview(
                _paths(args), host=args.host, port=args.port, poll=args.poll,
                drafts=args.drafts, future=args.future, config_required=args.config is not None,
            )
        except PreviewError as exc:
            print(f"digestgen serve: {exc}", file=sys.stderr)
            return EXIT_BUILD_ERROR
        return EXIT_OK

    serve.set_defaults(run=run)


def _site_options(parser: argparse.ArgumentParser, *, output: bool = True) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR", help="site root folder (default: .)")
    parser.add_argument("--content", type=Path, metavar="DIR", help="content folder (default: SITE/content)")
    if output:  # serve builds into a folder of its own, never into the output
        parser.add_argument("--output", type=Path, metavar="DIR", help="output folder (default: SITE/output)")
    parser.add_argument("--config", type=Path, metavar="FILE", help=f"config file (default: SITE/{CONFIG_FILENAME}, optional)")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    noise.add_argument("-v", "--verbose", action="store_true", help="print each stage and its timing")


def _base_url(value: str) -> str:
    if not value.strip():  # an unset CI variable, say: it must not quietly undo the config's address
        raise argparse.ArgumentTypeError("the address is empty; leave --base-url out to use base_url from the config")
    problem = base_url_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem.replace("base_url", "the address", 1))
    return value


def _paths(args: argparse.Namespace) -> Paths:
    return Paths.for_site(args.site, content=args.content, output=getattr(args, "output", None), config_file=args.config)


def _run_build(args: argparse.Namespace) -> int:
    from .build import build

    log = logging.getLogger("digestgen")
    paths = _paths(args)
    try:
        with _Progress(enabled=not args.quiet) as progress:
            result = build(paths, config_required=args.config is not None, strict=args.strict, drafts=args.drafts,
                           future=args.future, base_url=args.base_url, progress=progress)
    except DigestgenError as exc:
        _print_problems(exc, paths.output)
        return EXIT_BUILD_ERROR
    except KeyboardInterrupt:  # the site is swapped in whole, so it is either the last one or this one
        print(f"digestgen build: interrupted; {_shown(paths.output)} is the last whole build", file=sys.stderr)
        return EXIT_INTERRUPTED
    for warning in result.warnings:
        log.warning("%s", warning)
    for stage, seconds in result.timings.items():
        if args.profile:  # asked for by name, so shown even with --quiet
            print(f"{stage:<8} {seconds:7.3f} s", file=sys.stderr)
        else:
            log.debug("%-8s %7.3f s", stage, seconds)
    total = sum(result.timings.values())
    counts = f"{_count(result.stories, 'story', 'stories')} from {_count(result.entries, 'article', 'articles')}"
    if result.left_out:  # or "0 articles" would leave a user with only expired ones wondering why
        counts += f" ({result.left_out:,} more left out: drafts, future-dated or expired)"
    if result.unchanged:
        log.info("Nothing changed: %s is up to date (%s, checked in %.2f s)", _shown(paths.output), counts, total)
    else:
        files = _count(result.files_written, "file", "files")
        if result.files_rendered < result.files_written:  # rendered again, whether or not their bytes changed
            files += f", {result.files_rendered:,} of them made again, the rest kept"
        log.info("Built %s into %s (%s, %.2f s)", counts, _shown(paths.output), files, total)
    return EXIT_OK


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"  # 3,000 as the progress line writes it


def _shown(path: Path) -> str:
    """A folder as messages name it: from the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except (ValueError, OSError):
        return str(path)


class _Progress:
    """Stage by stage progress of a long build: one line rewritten in place on a terminal,
    plain lines otherwise; nothing for small sites or with --quiet."""

    LONG = 500  # articles: below this a build takes about a second and needs no progress

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.shown, self.started = enabled, False, time.perf_counter()
        self.stages = ("reading articles", "grouping articles into stories", "rendering pages", "writing files")
        # rewritten in place only where a terminal takes "\r" and an erase (not Emacs's shell, TERM=dumb)
        self.tty = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"

    def __call__(self, stage: str, count: int) -> None:
        if stage == self.stages[0] and count < self.LONG:
            self.enabled = False
        if not self.enabled:
            return
        number = self.stages.index(stage) + 1 if stage in self.stages else 0
        line = f"[{number}/{len(self.stages)}] {stage} ({count:,}) {time.perf_counter() - self.started:5.1f} s"
        if self.tty:
            bar = "#" * (number * 5) + "." * ((len(self.stages) - number) * 5)
            # within one row: an erase clears only the last row of a line the terminal wrapped
            width = shutil.get_terminal_size().columns - 1
            sys.stderr.write(f"\r\x1b[K{f'{bar} {line}'[:width]}")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.shown = True

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown and self.tty:
            sys.stderr.write("\r\x1b[K")  # clear the bar; the summary line follows
            sys.stderr.flush()


def _print_problems(exc: DigestgenError, output: Path) -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    kept = "the previous output was left as it was" if output.exists() else "nothing was written"
    print(f"Build failed: {count} error{'s' if count != 1 else ''}; {kept}.", file=sys.stderr)


def _configure_logging(quiet: bool, verbose: bool) -> None:
    level = logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("digestgen")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def run() -> NoReturn:
    """The ``digestgen`` command: main(), then leave at once. A big build ends holding
    hundreds of MB of objects, and freeing them one by one as the interpreter shuts down
    took a quarter of a second at 10,000 articles; the system reclaims them in one go.
    (Errors and interrupts leave the ordinary way.)"""
    code = main()
    from .cache import finish_writing

    finish_writing()  # the entry cache's writer thread
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

