"""mkdocs hooks: the README is the site's home page, and links into the repository outside docs/ become text.

README.md and docs/*.md are written to be read in the repository too (on GitHub, in an editor), where
``docs/cli.md`` and ``../examples/notebook/`` are links to files. The site holds docs/ only, so each link is
taken from where its page really lies: to a page of docs/ it is made relative to the page's place in the site;
to anything else in the repository it keeps its text and loses the link, which the site could only break.
A link to a path that does not exist is left alone, for mkdocs to report (the build is strict).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
HOME = "README.md"
"""The README's place in the site: mkdocs makes a README.md at the top of the pages the site's index.html."""
ARCHITECTURE = "architecture.html"
"""Where docs/index.md (the pipeline and the packages), which would be the index, goes instead."""

_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<target>[^()\s]+)\)")


def on_files(files: Files, config: Any) -> Files:
    index = files.get_file_from_path("index.md")
    if index is not None:
        files.remove(index)
        files.append(File("index.md", config["docs_dir"], config["site_dir"], config["use_directory_urls"],
                          dest_uri=ARCHITECTURE))
    files.append(File.generated(config, HOME, content=(ROOT / "README.md").read_text(encoding="utf-8")))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    source = page.file.src_uri
    folder = ROOT if source == HOME else (DOCS / source).parent  # where the page lies in the repository
    site_folder = posixpath.dirname(source)

    def relink(match: re.Match[str]) -> str:
        target = match["target"]
        path, hash_, anchor = target.partition("#")
        if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path):  # an anchor on the page, or a URL
            return match[0]
        real = (folder / path).resolve()
        if not real.exists():
            return match[0]
        if real.is_relative_to(DOCS):
            inside = real.relative_to(DOCS).as_posix()
            return f"{match['bang']}[{match['text']}]({posixpath.relpath(inside, site_folder or '.')}{hash_}{anchor})"
        return match["text"]

    return _LINK.sub(relink, markdown)
