"""Every relative link in README.md and docs/**/*.md points at a file or folder that exists, so
moving a page or a report cannot leave a reader at a dead link."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
# [text](target) and <img src="target">; a target ends at the first space (an optional title)
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?[^)]*\)|<img[^>]*\ssrc=\"([^\"]+)\"")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def pages():
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def relative_links(text):
    text = FENCE.sub("", text)  # code blocks show shell and JSON, not links
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http:, mailto:, an anchor in the same page
        yield target.split("#", 1)[0]


def test_the_link_pattern_finds_links_and_images():
    text = "[a](docs/a.md) [b](b.md#x \"t\") <img src=\"s.png\" width=1> [c](https://x) [d](#e)"
    assert list(relative_links(text)) == ["docs/a.md", "b.md", "s.png"]


def test_every_relative_link_resolves():
    broken = [f"{page.relative_to(ROOT)}: {target}"
              for page in pages()
              for target in relative_links(page.read_text(encoding="utf-8"))
              if not (page.parent / target).exists()]
    assert not broken, "links to nothing:\n" + "\n".join(broken)
