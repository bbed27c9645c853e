"""Every relative link in the README, docs/, integrations/ and bench/ resolves: the file (or
folder) exists in the repository, and a ``#anchor`` names a heading of that file, as GitHub
makes its anchors. Every picture has an alt text that says what it shows. A deliberately
broken link is caught, so the check itself is known to work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").rglob("*.md"),
                *(ROOT / "integrations").rglob("*.md")])

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines that Markdown reads as prose: not in a fenced block, not in an indented code
    block (four spaces after a blank line or after another such line)."""
    out: list[tuple[int, str]] = []
    fenced = False
    code = False
    previous_blank = True
    for n, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            previous_blank = False
            continue
        if fenced:
            continue
        blank = not line.strip()
        if not blank and line.startswith("    ") and (previous_blank or code):
            code = True
        elif not blank:
            code = False
        if not code:
            out.append((n, line))
        previous_blank = blank
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text (code spans, emphasis and links as their text),
    lower case, every character but letters, digits, spaces, ``-`` and ``_`` dropped, spaces
    as ``-``."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_]{1,3}(\S.*?\S|\S)[*_]{1,3}", r"\1", text)
    text = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, line in prose_lines(text):
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(text: str) -> list[tuple[int, bool, str, str]]:
    """(line, is a picture, alt or link text, target) for every link outside code."""
    found = []
    for n, line in prose_lines(text):
        for m in LINK.finditer(CODE_SPAN.sub(lambda c: " " * len(c.group(0)), line)):
            found.append((n, m.group(1) == "!", m.group(2), m.group(3)))
    return found


def broken(page: Path, text: str | None = None) -> list[str]:
    """Every link of ``page`` (or of ``text``, read as if it were that page) that does not resolve."""
    text = page.read_text(encoding="utf-8") if text is None else text
    problems = []
    for n, _, _, target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:, ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(ROOT)}:{n}: {target}"
        if ROOT not in dest.parents and dest != ROOT:
            problems.append(f"{where} (outside the repository)")
            continue
        if not dest.exists():
            problems.append(f"{where} (no such file)")
            continue
        if anchor:
            if dest.is_dir() or dest.suffix != ".md":
                problems.append(f"{where} (an anchor into something that is not a Markdown page)")
            elif anchor not in anchors(dest.read_text(encoding="utf-8") if dest != page or text is None else text):
                problems.append(f"{where} (no heading makes #{anchor})")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_resolves(page):
    assert broken(page) == []


def test_the_pages_are_found():
    names = {str(p.relative_to(ROOT)) for p in PAGES}
    assert {"README.md", "docs/architecture.md", "docs/json.md", "docs/configuration.md",
            "integrations/README.md", "integrations/claude-code/README.md"} <= names


def test_a_broken_link_is_caught():
    page = ROOT / "docs" / "configuration.md"
    text = ("# Title\n\n## A `code` heading, with punctuation!\n\n"
            "[fine](#title) [fine too](#a-code-heading-with-punctuation) [ok](../README.md#install)\n"
            "[gone](no-such-page.md) [bad anchor](#nowhere) [bad remote anchor](../README.md#nowhere)\n"
            "![missing picture](img/missing.png) [out](../../elsewhere.md) [web](https://example.com/x)\n"
            "`[in code](not-checked.md)`\n\n    [indented code](not-checked-either.md)\n"
            "```\n[fenced](nor-this.md)\n```\n")
    found = broken(page, text)
    assert len(found) == 5, found
    for target in ("no-such-page.md", "#nowhere", "../README.md#nowhere", "img/missing.png", "../../elsewhere.md"):
        assert any(f": {target} (" in p for p in found), (target, found)


def test_slugs_are_githubs():
    assert slug("Bars: i3blocks, polybar, xbar, SwiftBar") == "bars-i3blocks-polybar-xbar-swiftbar"
    assert slug("tmux's environment, not your shell's") == "tmuxs-environment-not-your-shells"
    assert slug("Options of `claude-usage-line --claude-code`") == "options-of-claude-usage-line---claude-code"
    assert slug("`claude-usage check EXPR…`") == "claude-usage-check-expr"
    assert anchors("# A\n\n# A\n") == {"a", "a-1"}


def test_every_picture_in_the_readme_says_what_it_shows():
    pictures = [(alt, target) for _, pic, alt, target in links((ROOT / "README.md").read_text()) if pic]
    assert len(pictures) >= 5, pictures
    for alt, target in pictures:
        assert target.startswith("docs/img/") and (ROOT / target).is_file(), target
        assert len(alt.split()) >= 5, f"{target}: the alt text {alt!r} does not say what it shows"


def test_every_picture_is_used_and_has_its_capture():
    used = {(page.parent / target).resolve() for page in PAGES for _, pic, _, target in links(page.read_text())
            if pic}
    for png in (ROOT / "docs" / "img").glob("*.png"):
        assert png.resolve() in used, f"{png.name} is shown nowhere"
        assert png.with_suffix(".ansi").is_file(), f"{png.name} has no capture (.ansi) beside it"
