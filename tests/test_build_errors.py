"""A failed build names file and line for every error and leaves the previous output alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article, build_site, run_cli, snapshot, write_site

from digestgen.errors import DigestgenError, TemplateError


def build_ok(site: Path) -> dict[str, bytes]:
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    return snapshot(site / "output")


def test_bad_yaml_names_file_and_line_and_keeps_output(news_site: Path):
    before = build_ok(news_site)
    write_site(news_site, {"content/broken.md": '---\ntitle: "Fine"\nsource: [oops\n---\nBody.\n'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "broken.md:" in result.stderr and "invalid YAML front matter" in result.stderr
    line = result.stderr.split("broken.md:", 1)[1].split(":", 1)[0]
    assert line.isdigit() and 3 <= int(line) <= 5
    assert "Traceback" not in result.stderr
    assert snapshot(news_site / "output") == before


def test_unknown_config_key_names_file_and_line_and_keeps_output(news_site: Path):
    before = build_ok(news_site)
    write_site(news_site, {"digestgen.toml": 'title = "Brief"\nbase_ulr = "https://example.com"\n'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "digestgen.toml:2: unknown key 'base_ulr' (did you mean 'base_url'?)" in result.stderr
    assert snapshot(news_site / "output") == before


def test_broken_template_names_file_and_line_and_keeps_output(news_site: Path):
    before = build_ok(news_site)
    write_site(news_site, {"templates/story.html": '{% extends "default/story.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "story.html:3:" in result.stderr
    assert snapshot(news_site / "output") == before


def test_template_error_at_render_time_names_the_template_line(news_site: Path):
    before = build_ok(news_site)
    write_site(news_site, {"templates/article.html": "<p>{{ entry.title }}</p>\n<p>{{ entry.no_such_field }}</p>\n"})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "article.html:2:" in result.stderr and "no_such_field" in result.stderr
    assert snapshot(news_site / "output") == before


def test_every_error_is_listed_not_just_the_first(news_site: Path):
    write_site(news_site, {
        "content/a.md": "---\ntitle: [\n---\n",
        "content/b.md": "---\ntitle: x\n",
        "content/c.txt": b"\x00\x01binary",
    })
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    for name in ("a.md:", "b.md:1:", "c.txt:"):
        assert name in result.stderr
    assert "3 errors" in result.stderr


def test_site_template_overrides_and_extends_the_default(news_site: Path):
    write_site(news_site, {"templates/index.html": '{% extends "default/index.html" %}\n{% block title %}Custom front page{% endblock %}\n'})
    build_ok(news_site)
    index = (news_site / "output" / "index.html").read_text(encoding="utf-8")
    assert "<title>Custom front page</title>" in index
    assert "Valparaiso" in index  # the default index body is still there


def test_a_theme_using_the_date_macros_shows_the_same_dates_as_the_default(news_site: Path):
    """when() and when_exact() stay in _macros.html for themes that import them."""
    import re

    build_ok(news_site)
    default = (news_site / "output" / "index.html").read_text(encoding="utf-8")
    write_site(news_site, {"templates/index.html": (
        '{% extends "default/index.html" %}{% from "_macros.html" import when, when_exact with context %}'
        '{% block main %}{% for story in stories %}<p>{{ when(story.updated or story.date) }}|{{ when_exact(story.date) }}</p>'
        '{% endfor %}{% endblock %}'
    )})
    build_ok(news_site)
    themed = (news_site / "output" / "index.html").read_text(encoding="utf-8")
    shown = re.findall(r"<p>(<time [^|]*</time>)\|(<time .*?</time>)</p>", themed)
    assert shown and all(date in default for date, _ in shown)
    for _, exact in shown:  # the time of day, unless the date was given without one (midnight)
        at_midnight = re.search(r'datetime="[^"]+T00:00:00', exact) is not None
        assert re.fullmatch(r'<time datetime="[^"]+">\d{1,2} \w+ \d{4}' + ("" if at_midnight else r", \d\d:\d\d") + "</time>", exact), exact


def test_usage_errors_exit_2(tmp_path: Path):
    assert run_cli("build", "--no-such-option").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_a_typo_names_the_command_or_option_meant_under_the_commands_own_usage():
    """As Hugo's and Zola's do; and no option is taken from its first letters (--out was --output)."""
    typo = run_cli("biuld")
    assert typo.returncode == 2 and "invalid choice: 'biuld'" in typo.stderr and "did you mean 'build'?" in typo.stderr
    option = run_cli("build", "--ouput", "x")
    assert option.returncode == 2 and option.stderr.startswith("usage: digestgen build")
    assert "unrecognized arguments: --ouput x (did you mean --output?)" in option.stderr
    assert "did you mean --output?" in run_cli("build", "--out", "x").stderr


def test_the_command_reports_every_stage_and_its_summary_before_it_exits(news_site: Path):
    """The command leaves without tearing down its objects (cli.run): what it logged must
    still all come out, and the exit code with it."""
    import re

    result = run_cli("build", "--site", str(news_site), "--profile")
    assert result.returncode == 0, result.stderr
    for stage in ("read", "group", "render", "write"):
        assert re.search(rf"^{stage} +\d+\.\d{{3}} s$", result.stderr, re.MULTILINE), result.stderr
    assert re.search(r"^Built \d+ stor(y|ies) from \d+ articles? into ", result.stderr, re.MULTILINE)
    quiet = run_cli("build", "--site", str(news_site), "--profile", "--quiet")
    assert quiet.returncode == 0 and re.search(r"^check +\d+\.\d{3} s$", quiet.stderr, re.MULTILINE), quiet.stderr
    assert "Built" not in quiet.stderr and "Nothing changed" not in quiet.stderr
    write_site(news_site, {"content/broken.md": '---\ntitle: "Fine"\nsource: [oops\n---\nBody.\n'})
    failed = run_cli("build", "--site", str(news_site))
    assert failed.returncode == 1 and "broken.md:" in failed.stderr


def test_help_explains_itself():
    top = run_cli("--help")
    assert top.returncode == 0 and "build" in top.stdout
    sub = run_cli("build", "--help")
    for option in ("--site", "--content", "--output", "--config", "--quiet", "--verbose"):
        assert option in sub.stdout


def test_missing_explicit_config_is_an_error(news_site: Path):
    result = run_cli("build", "--site", str(news_site), "--config", str(news_site / "nope.toml"))
    assert result.returncode == 1 and "nope.toml: config file not found" in result.stderr


def test_refuses_to_replace_a_folder_that_is_not_a_build(news_site: Path, tmp_path: Path):
    precious = tmp_path / "precious"
    write_site(precious, {"thesis.txt": "years of work"})
    result = run_cli("build", "--site", str(news_site), "--output", str(precious))
    assert result.returncode == 1 and "not a digestgen build" in result.stderr
    assert (precious / "thesis.txt").read_text() == "years of work"



def test_refuses_an_output_path_that_is_a_file(news_site: Path):
    config = news_site / "digestgen.toml"
    config.write_text('title = "Kept"\n', encoding="utf-8")
    result = run_cli("build", "--site", str(news_site), "--output", str(config))
    assert result.returncode == 1 and "is a file, not a folder" in result.stderr
    assert config.read_text(encoding="utf-8") == 'title = "Kept"\n'


def test_refuses_an_output_folder_inside_the_content_reached_through_a_symlink(tmp_path: Path):
    real = tmp_path / "real-content"
    write_site(real, {"a.md": "---\ntitle: A\n---\nBody.\n"})
    site = tmp_path / "site"
    site.mkdir()
    (site / "content").symlink_to(real)
    result = run_cli("build", "--site", str(site), "--output", str(real / "out"))
    assert result.returncode == 1 and "must not contain, or be inside" in result.stderr
    assert not (real / "out").exists()


def test_a_story_lock_that_cannot_be_written_stops_the_build_before_the_site_changes(news_site: Path):
    """A content folder mounted read-only, say. (Root writes anywhere, so the test blocks the
    lock's temporary file with a folder of that name.)"""
    import os

    from digestgen.errors import ContentError

    build_site(news_site)
    before = snapshot(news_site / "output")
    lock = (news_site / "content" / ".stories.json").read_bytes()
    write_site(news_site, {"content/new.md": "---\ntitle: Library extends opening hours\ndate: 2021-06-01\n---\nOpen late.\n"})
    blocker = news_site / "content" / f".stories.json.{os.getpid()}.tmp"
    blocker.mkdir()
    with pytest.raises(ContentError) as caught:
        build_site(news_site)
    assert ".stories.json: cannot write the story lock" in str(caught.value.problems[0])
    assert snapshot(news_site / "output") == before
    assert (news_site / "content" / ".stories.json").read_bytes() == lock
    blocker.rmdir()
    build_site(news_site)
    assert '"new.md"' in (news_site / "content" / ".stories.json").read_text(encoding="utf-8")


def test_a_story_file_that_cannot_be_read_is_an_error_naming_it(news_site: Path):
    stories = news_site / "content" / "stories"
    (stories / "folder.md").mkdir(parents=True)
    (stories / "gone.md").symlink_to(stories / "nowhere.md")
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "stories/folder.md: cannot read story file" in result.stderr
    assert "stories/gone.md: cannot read story file" in result.stderr

def test_long_builds_show_progress_unless_quiet(news_site: Path, monkeypatch, capsys):
    from digestgen import cli

    monkeypatch.setattr(cli._Progress, "LONG", 1)  # the fixture is small; pretend it is long
    assert cli.main(["build", "--site", str(news_site)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" (")[0] for line in lines if line.startswith("[")] == [
        "[1/4] reading articles", "[2/4] grouping articles into stories", "[3/4] rendering pages", "[4/4] writing files",
    ]
    (news_site / "content" / "bakery.md").write_text("---\ntitle: Changed\n---\nNew body.\n", encoding="utf-8")
    assert cli.main(["build", "--site", str(news_site), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("term", "columns"), [("xterm", 40), ("xterm", 200), ("dumb", 80)])
def test_the_progress_line_fits_the_terminal_and_a_dumb_one_gets_plain_lines(monkeypatch, capsys, term: str, columns: int):
    """Wider than the terminal, the line wrapped, and the erase cleared only its last row: a
    40-column pane kept one stale row per stage. A dumb terminal (Emacs's shell) showed ^[[K."""
    import os

    from digestgen import cli

    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda *args: os.terminal_size((columns, 24)))
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    with cli._Progress(enabled=True) as progress:
        for stage in ("reading articles", "grouping articles into stories", "rendering pages", "writing files"):
            progress(stage, 30_000)
    written = capsys.readouterr().err
    if term == "dumb":
        assert "\x1b" not in written and "\r" not in written and written.count("\n") == 4
    else:
        rows = [row for row in written.split("\r\x1b[K") if row]
        assert len(rows) == 4 and all(len(row) <= columns - 1 for row in rows), rows


def test_a_file_that_vanishes_during_a_build_is_an_error_not_a_traceback(news_site: Path, monkeypatch):
    import digestgen.build as build_module
    from digestgen.config import Paths
    from digestgen.errors import ContentError

    real = build_module.discover
    monkeypatch.setattr(build_module, "discover", lambda folder, *rest: [*real(folder, *rest), folder / "gone.md"])
    try:
        build_module.build(Paths.for_site(news_site))
    except ContentError as exc:
        assert [str(p) for p in exc.problems] == [f"{news_site}/content/gone.md: cannot read file: No such file or directory"]
    else:
        raise AssertionError("a vanished file went unreported")


def test_a_page_failing_on_a_render_worker_leaves_the_site_as_it_was(news_site: Path, monkeypatch):
    # Workers write the pages they make into the next site's folder as they go; one page
    # failing after others were written must still leave the served site untouched.
    from digestgen import site as rendering

    monkeypatch.setattr(rendering, "_PARALLEL_FROM", 1)  # workers even for a small site
    build_site(news_site)
    before = snapshot(news_site / "output")
    write_site(news_site, {"templates/article.html": (
        '{% extends "default/article.html" %}\n'
        '{% block title %}{{ entry.no_such_field if "sourdough" in entry.title else entry.title }}{% endblock %}\n')})
    with pytest.raises(TemplateError) as failed:
        build_site(news_site)
    assert "article.html" in str(failed.value.problems[0].path) and "no_such_field" in failed.value.problems[0].message
    assert snapshot(news_site / "output") == before
    assert not [p.name for p in (*news_site.iterdir(), *(news_site / ".digestgen-cache").iterdir()) if ".building-" in p.name]


def _lock_broken_by_hand(news_site: Path, change) -> tuple[dict[str, bytes], str]:  # noqa: ANN001
    """The site built, then its lock changed by ``change(text) -> text``, then built again:
    the output before, and the second build's message."""
    before = build_ok(news_site)
    lock = news_site / "content" / ".stories.json"
    lock.write_text(change(lock.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert snapshot(news_site / "output") == before
    return before, result.stderr


def test_a_story_lock_with_a_merge_conflict_says_so_at_its_line(news_site: Path):
    def conflicted(text: str) -> str:
        lines = text.splitlines()
        return "\n".join([*lines[:3], "<<<<<<< HEAD", lines[3], "=======", lines[3], ">>>>>>> other", *lines[4:]])
    _, stderr = _lock_broken_by_hand(news_site, conflicted)
    assert ".stories.json:4: the story lock has a merge conflict" in stderr, stderr


def test_a_story_lock_that_is_json_but_not_a_lock_is_an_error_at_its_line(news_site: Path):
    """A list of paths turned into one string (a hand merge) was read as a list of letters:
    the story lost its address without a word."""
    import json
    import re

    def flattened(text: str) -> str:
        slug, paths = next(iter(json.loads(text)["stories"].items()))
        return re.sub(rf'("{slug}": )\[[^\]]*\]', lambda m: m.group(1) + json.dumps(paths[0]), text, count=1)
    _, stderr = _lock_broken_by_hand(news_site, flattened)
    line = re.search(r"\.stories\.json:(\d+): cannot read the story lock \(stories\['([^']+)'\] must be a list", stderr)
    assert line, stderr
    text = (news_site / "content" / ".stories.json").read_text(encoding="utf-8")
    assert f'"{line.group(2)}"' in text.splitlines()[int(line.group(1)) - 1]


def test_a_template_that_is_not_utf8_is_an_error_naming_it(news_site: Path):
    before = build_ok(news_site)
    write_site(news_site, {"templates/story.html": b'\xff\xfe{% extends "default/story.html" %}\n'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "story.html: template is not UTF-8 text" in result.stderr
    assert snapshot(news_site / "output") == before


def test_an_include_of_a_missing_template_is_an_error_at_the_include(news_site: Path):
    before = build_ok(news_site)
    write_site(news_site, {
        "templates/partials/box.html": 'A box\n{% include "partials/nope.html" %}\n',
        "templates/story.html": '{% extends "default/story.html" %}\n{% block main %}{% include "partials/box.html" %}{% endblock %}\n',
    })
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1, result.stderr
    assert "templates/partials/box.html:2: template not found: partials/nope.html" in result.stderr
    assert snapshot(news_site / "output") == before


def test_story_file_problems_point_at_the_entry_they_are_about(news_site: Path):
    from digestgen.errors import ContentError

    write_site(news_site, {
        "content/stories/quake.md": "---\ntitle: The quake\nentries:\n  - world/quake-pacific.md\n  - world/no-such.md\n---\n",
        "content/stories/pacific.md": "---\nfeatured: true\nentries:\n  - bakery.md\n  - world/quake-pacific.md\n---\n",
    })
    with pytest.raises(ContentError) as caught:
        build_site(news_site)
    problems = [(p.path.rsplit("content/", 1)[1], p.line, p.message) for p in caught.value.problems]
    assert problems == [("stories/quake.md", 4, "'world/quake-pacific.md' is already in story file stories/pacific.md")]
    (news_site / "content" / "stories" / "pacific.md").unlink()
    warnings = [(w.path.rsplit("content/", 1)[-1], w.line, w.message) for w in build_site(news_site).warnings]
    assert ("stories/quake.md", 5, "entries: no article 'world/no-such.md' in the content folder") in warnings


def test_a_template_error_says_which_page_it_was_making(news_site: Path):
    import re

    write_site(news_site, {"templates/base.html": '{% extends "default/base.html" %}'
                                                  "{% block site_head %}<meta name=\"x\" content=\"{{ story.title }}\">{% endblock %}"})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    # base.html serves story pages well and fails the others: the message names one of those
    made = re.search(r"base\.html:1: UndefinedError: 'story' is undefined \(making ([\w/.-]+)\)", result.stderr)
    assert made and not made.group(1).startswith(("stories/", "articles/")), result.stderr


def test_ctrl_c_during_a_build_says_so_in_a_line_not_a_traceback(news_site: Path, monkeypatch, capsys):
    """The site is swapped in whole, so what output/ holds is a whole build either way."""
    import digestgen.build as build_module
    from digestgen.cli import main

    def interrupted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "build", interrupted)
    monkeypatch.chdir(news_site)
    assert main(["build"]) == 130
    assert capsys.readouterr().err == "digestgen build: interrupted; output is the last whole build\n"
    assert main(["build", "--output", "elsewhere/site"]) == 130  # the folder it is, not "output/"
    assert capsys.readouterr().err == "digestgen build: interrupted; elsewhere/site is the last whole build\n"


def test_hidden_files_in_templates_are_not_templates(news_site: Path):
    """An editor's lock (Emacs' dangling ``.#story.html``), a copy's ``._base.html`` or a
    hidden old version must not fail the build: they are no templates."""
    (news_site / "templates").mkdir()
    (news_site / "templates" / ".#story.html").symlink_to("someone@host.123:456")
    write_site(news_site, {"templates/._base.html": b"\x00\x05\x16\x07Mac OS X",
                           "templates/.old.html": "{% if %}"})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 0, result.stderr
    assert "Valparaiso" in (news_site / "output" / "index.html").read_text(encoding="utf-8")


def test_a_partial_of_any_name_is_checked_and_its_words_asked_for(news_site: Path):
    """A partial named ``.inc`` is a template once a template includes it: its syntax is
    checked with the others', and the words it asks for are not 'unused'."""
    write_site(news_site, {
        "templates/index.html": '{% extends "default/index.html" %}{% block head %}{% include "partials/banner.inc" %}{% endblock %}',
        "templates/partials/banner.inc": '<p class="banner">{{ _("Breaking news") }}</p>',
        "digestgen.toml": 'base_url = "https://example.org/"\nlanguage = "de"\n\n[translations]\n"Breaking news" = "Eilmeldung"\n',
    })
    result = run_cli("build", "--strict", "--site", str(news_site))
    assert result.returncode == 0, result.stderr
    assert '<p class="banner">Eilmeldung</p>' in (news_site / "output" / "index.html").read_text(encoding="utf-8")
    write_site(news_site, {"templates/partials/banner.inc": "{% if %}"})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1 and "banner.inc:1:" in result.stderr


def test_a_static_file_there_is_none_of_is_named_with_the_nearest(news_site: Path):
    write_site(news_site, {"templates/base.html": '{% extends "default/base.html" %}'
                                                  '{% block site_head %}<link href="{{ assets[\'styles.css\'] }}">{% endblock %}'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "base.html:1: TemplateRuntimeError: no static file 'styles.css'" in result.stderr
    assert "(did you mean 'style.css'?)" in result.stderr


def test_a_theme_copied_whole_into_templates_is_told_where_static_files_go(news_site: Path):
    write_site(news_site, {"templates/static/style.css": "body { color: red }",
                           "templates/default/index.html": "{{ 1 }}"})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 0, result.stderr
    assert "templates/static: warning: static files in templates/ are not published: a site's go in static/" in result.stderr
    assert "templates/default: warning: templates in templates/default/ are not used" in result.stderr


def test_an_outlet_linked_from_a_page_has_no_member_list_to_miscount(news_site: Path):
    """An article page's outlet is a reference to link, without its articles: a theme asking
    for them is an error at its line, not an empty list shown as '0 articles'."""
    write_site(news_site, {"templates/source.html": '{% extends "default/source.html" %}'
                                                    '{% block main %}<p>{{ outlet.entries|length }} articles</p>{% endblock %}'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "source.html:1: UndefinedError: 'digestgen.pages.OutletRef object' has no attribute 'entries'" in result.stderr


def test_errors_in_several_templates_are_listed_in_one_build(news_site: Path):
    """A page that fails to render stops the build; the other templates' errors are listed
    with its, so a theme is fixed in one round, not one build per template."""
    before = build_ok(news_site)
    write_site(news_site, {
        "templates/story.html": '{% extends "default/story.html" %}{% block main %}{{ story.no_such_field }}{% endblock %}',
        "templates/article.html": '{% extends "default/article.html" %}{% block main %}\n{{ entry.no_such_field }}{% endblock %}',
    })
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert "story.html:1: UndefinedError" in result.stderr and "article.html:2: UndefinedError" in result.stderr
    assert "2 errors" in result.stderr
    assert snapshot(news_site / "output") == before


def test_a_template_that_extends_itself_is_told_to_name_the_themes(news_site: Path):
    write_site(news_site, {"templates/base.html": '{% extends "base.html" %}{% block site_head %}<meta name="x">{% endblock %}'})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert ('base.html:1: the template extends, includes or imports itself, endlessly: to build on the theme\'s '
            'base.html, name it "default/base.html"') in result.stderr


def test_a_copy_of_the_theme_as_it_came_is_no_warning(news_site: Path):
    """digestgen's own checkout is a site whose templates/ is the theme, static/ and all: the
    quick start must not warn that its static files are not read (nothing of the site's is lost)."""
    import shutil

    from digestgen.render import theme_dir

    shutil.copytree(theme_dir(), news_site / "templates")
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 0, result.stderr
    assert "templates/static" not in result.stderr


def test_a_folder_without_content_says_how_to_name_a_site_and_that_nothing_was_written(tmp_path: Path):
    result = run_cli("build", "--site", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert ("content folder not found: run digestgen in a site's folder, or name one with --site DIR "
            "(digestgen new DIR makes one)") in result.stderr
    assert result.stderr.rstrip().endswith("Build failed: 1 error; nothing was written.")


def test_a_content_folder_without_articles_says_which_files_are_read(tmp_path: Path):
    write_site(tmp_path, {"content/page.html": "<h1>Hi</h1>", "content/notes.rst": "Notes"})
    result = run_cli("build", "--site", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "content: warning: no articles here: digestgen reads .md, .markdown and .txt files" in result.stderr


def test_articles_filed_under_stories_are_told_where_they_go(news_site: Path):
    """content/stories/ holds editors' story files; an article there got one 'unknown key' per key."""
    write_site(news_site, {"content/stories/a.md": "---\ntitle: A\ndate: 2024-01-01\nsource: X\nurl: https://x.org/a\n---\nBody\n"})
    result = run_cli("build", "--site", str(news_site))
    assert result.returncode == 1
    assert ("content/stories/a.md:3: this reads as an article (date, source, url), but stories/ holds story files "
            "(title, featured, entries): keep articles anywhere else in the content folder") in result.stderr
    assert "1 error" in result.stderr


def test_a_story_lock_that_cannot_be_written_whole_stops_the_build_before_the_site_changes(news_site: Path, monkeypatch):
    """A full disk takes an empty file, and failed only once the lock was written, after the site
    had been swapped in: 'the previous output was left as it was' of a site that was not."""
    import errno

    from digestgen import lock as story_lock
    from digestgen.errors import ContentError

    build_site(news_site)
    before = snapshot(news_site / "output")
    write_site(news_site, {"content/new.md": "---\ntitle: Library extends opening hours\ndate: 2021-06-01\n---\nOpen late.\n"})

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(story_lock.os, "fsync", full)
    with pytest.raises(ContentError) as caught:
        build_site(news_site)
    assert "cannot write the story lock: No space left on device" in str(caught.value.problems[0])
    assert snapshot(news_site / "output") == before
    assert not list((news_site / "content").glob(".stories.json.*.tmp"))


def test_a_story_address_written_twice_in_the_lock_is_an_error_at_the_second(news_site: Path):
    """A conflict resolved by keeping both sides: JSON takes the second, and a published
    address moved to another story without a word."""
    import json

    def doubled(text: str) -> str:
        slug, paths = next(iter(json.loads(text)["stories"].items()))
        line = f'  "{slug}": {json.dumps(paths)},\n'
        return text.replace(' "stories": {\n', ' "stories": {\n' + line + line, 1)
    _, stderr = _lock_broken_by_hand(news_site, doubled)
    assert ".stories.json:5: cannot read the story lock (" in stderr and "is written twice" in stderr, stderr


@pytest.mark.parametrize("slug", ["a?b#c", "UPPER", "has space", "../x", "", "a/b"])
def test_a_story_address_edited_by_hand_into_no_address_is_an_error_at_its_line(news_site: Path, slug: str):
    import json

    def renamed(text: str) -> str:
        first = next(iter(json.loads(text)["stories"]))
        return text.replace(f'"{first}": [', f'{json.dumps(slug)}: [', 1)
    _, stderr = _lock_broken_by_hand(news_site, renamed)
    assert f"is not an address digestgen would make" in stderr and ".stories.json:" in stderr, stderr


def test_a_file_names_control_characters_reach_the_terminal_as_escapes(tmp_path: Path):
    """A scraper's file name could retitle the terminal, move the cursor up and erase the
    errors above, or forge a line of its own: the path is printed with its controls escaped."""
    name = "n\x1b]0;OWNED\x07\x1b[1A\x1b[2K\nfake.md:1: ok"
    write_site(tmp_path, {f"content/{name}.md": "---\ndate: bogus\n---\nText.\n", "content/b.md": article("B", "Text.")})
    result = run_cli("build", "--site", str(tmp_path))
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    warning = next(line for line in result.stderr.splitlines() if "date" in line)
    assert "n\\x1b]0;OWNED\\x07\\x1b[1A\\x1b[2K\\nfake.md:1: ok.md:2: warning:" in warning


@pytest.mark.parametrize("unreadable", ["content/2024", "content"])
def test_an_unreadable_folder_fails_the_build_not_its_articles_silently(tmp_path: Path, monkeypatch, unreadable: str):
    """Its articles vanished from the site, and their stories with them, on a build that
    said it succeeded (an unreadable content/ itself ended in a traceback)."""
    import os

    write_site(tmp_path, {"content/a.md": article("Council passes budget", "Text."),
                          "content/2024/fire.md": article("Fire downtown", "A fire.")})
    before = build_ok(tmp_path)
    real_scandir = os.scandir
    denied = (tmp_path / unreadable).resolve()

    def scandir(folder):  # noqa: ANN001, ANN202 - as os.scandir does without read permission (root reads anything)
        if Path(folder) == denied:
            raise PermissionError(13, "Permission denied", str(folder))
        return real_scandir(folder)

    monkeypatch.setattr(os, "scandir", scandir)
    (tmp_path / "content" / "b.md").write_text(article("Bridge closes", "Text."), encoding="utf-8")
    with pytest.raises(DigestgenError) as caught:
        build_site(tmp_path)
    assert [str(p) for p in caught.value.problems] == [f"{denied}: cannot read folder: Permission denied"]
    assert snapshot(tmp_path / "output") == before
