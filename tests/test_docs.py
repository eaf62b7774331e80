"""The user documentation stays short at the front, linked, and free of lab-notebook references."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
USER_DOCS = (README, *sorted((ROOT / "docs").glob("*.md")))
README_MAX_LINES = 250

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
# [text](target) and ![alt](target); the text may wrap over lines.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
# A commit hash: a word of 7-40 hex digits with at least one letter and one digit.
COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")
ISSUE = re.compile(r"\bissues?\s+#?\d+", re.I)
DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def prose(path: Path) -> str:
    """Return a Markdown file without its fenced code blocks."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub gives the headings of a Markdown file (repeats get -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(path)):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def relative_links(path: Path) -> list[str]:
    """The links of a Markdown file that point inside the repository."""
    return [
        target
        for target in LINK.findall(prose(path))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I)
    ]


def broken(path: Path, target: str) -> str | None:
    """Say why a relative link does not resolve, or None when it does."""
    file_part, _, anchor = target.partition("#")
    dest = (path.parent / file_part).resolve() if file_part else path
    if not dest.is_file():
        return f"{target}: no file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}"
    if anchor and dest.suffix == ".md" and anchor not in anchors(dest):
        return f"{target}: no heading with anchor #{anchor} in {dest.relative_to(ROOT)}"
    return None


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert 40 < lines <= README_MAX_LINES


def test_readme_links_every_document() -> None:
    targets = {target.partition("#")[0] for target in relative_links(README)}
    docs = {f"docs/{path.name}" for path in USER_DOCS[1:]}
    assert docs <= targets, f"not linked from README.md: {sorted(docs - targets)}"
    assert "docs/img/results.png" in targets


@pytest.mark.parametrize("path", USER_DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    links = relative_links(path)
    problems = [problem for target in links if (problem := broken(path, target))]
    assert not problems, "\n".join(problems)


def test_docs_have_links() -> None:
    # The checks above would pass on files whose links the pattern failed to find.
    assert sum(len(relative_links(path)) for path in USER_DOCS) >= 40


@pytest.mark.parametrize("path", USER_DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_commit_hashes_issue_numbers_or_dates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = COMMIT.findall(text) + ISSUE.findall(text) + DATE.findall(text)
    assert not found, f"{path.name}: {found}"


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("measured at commit dcdf2b4", True),
        ("see a0c625f3e1b2", True),
        ("as issue 14 asks", True),
        ("Issues 10-12", True),
        ("run on 2026-12-02", True),
        ("FHIR code 0000424, a 64-digit sha256 " + "ab12" * 16, False),
        ("decade 1000000 and the word facade", False),
    ],
)
def test_reference_patterns(text: str, caught: bool) -> None:
    found = COMMIT.findall(text) + ISSUE.findall(text) + DATE.findall(text)
    assert bool(found) is caught, found


def test_slug_matches_github() -> None:
    assert slug("Pooling your own tables: `POST /api/v1/pool`") == (
        "pooling-your-own-tables-post-apiv1pool"
    )
    assert slug("Why the all-four-options request misses 0.8 ×") == (
        "why-the-all-four-options-request-misses-08-"
    )
