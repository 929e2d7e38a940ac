"""Feedback ready to return: Markdown that is safe to show, the same as an HTML page, the file
name an LMS bulk upload matches to the student, and a deterministic zip per exercise.

Student text is hostile: file names, error messages and answers can hold HTML, Markdown links
or images. In the Markdown, ``<`` is written ``&lt;`` (so no renderer sees a tag) and names go in
code spans that no backtick can close; the HTML is rendered by markdown-it with raw HTML, links
and images switched off, so nothing a student wrote becomes markup, a script or a request.

Upload names (``upload_name``), from the name of the graded file as the LMS gave it:

* **Canvas** ``smithjane_12345_67890_03-...ipynb`` -> ``smithjane_12345_67890_feedback-03-....html``:
  Canvas' *Re-upload submissions* (assignment page) reads the first two numbers of each name as
  the user id and the submitted file's id and attaches the file to that submission as a comment;
* **Moodle** ``Jane Smith_123456_assignsubmission_file_03-...ipynb`` (or that folder, Moodle 4.1+)
  -> ``Jane Smith_123456_assignsubmission_file_feedback-03-....html``: Moodle's *Upload multiple
  feedback files in a zip* reads the participant number after the first ``_``;
* any other layout: ``<student>_feedback-03-....html``.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

from markdown_it import MarkdownIt

_CANVAS = re.compile(r"^([^_/]+_(?:LATE_)?\d+_\d+_)")
_MOODLE = re.compile(r"^([^/]+?_\d+_assignsubmission_[a-z]+_)")
_MOODLE_FOLDER = re.compile(r"^([^/]+?_\d+_assignsubmission_[a-z]+_?)/")
_ENTITY = re.compile(r"&(?=#?\w+;)")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

STYLE = """body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;background:#fff}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #767676;
padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f0f0f0}code{background:#f4f4f4;padding:0 .2rem;
overflow-wrap:anywhere}blockquote{border-left:4px solid #767676;margin:0;padding-left:1rem}"""


def text(value: str) -> str:
    """Student text for Markdown: no ``<`` a renderer could take for a tag, no ``&`` that starts
    an entity (a plain ``R&D`` stays as written)."""
    return _ENTITY.sub("&amp;", str(value)).replace("<", "&lt;")


def code(value: str) -> str:
    """``value`` as a Markdown code span that no backtick inside it can close."""
    value = str(value).replace("\n", " ")
    run = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (run + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    return md.disable(["image", "link", "autolink", "html_inline", "html_block"])


_MD = _renderer()


def to_html(markdown: str, title: str) -> str:
    """A whole, valid HTML page (lang, title, one ``main``) for ``markdown``."""
    body = _MD.render(markdown)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n"
            "</body>\n</html>\n")


def upload_name(relpath: str, stem: str, fallback: str) -> str:
    """The name an LMS bulk upload matches to the student whose graded file is ``relpath``."""
    name = f"feedback-{stem}.html"
    folder = _MOODLE_FOLDER.match(relpath)
    found = None if "/" in relpath else _CANVAS.match(relpath) or _MOODLE.match(relpath)
    chosen = f"{folder[1].rstrip('_')}_{name}" if folder else found[1] + name if found else ""
    if not chosen or len(chosen.encode("utf-8", "backslashreplace")) > 240:   # a file name holds 255 bytes
        return f"{fallback}_{name}"
    return chosen


def zip_bytes(files: dict[str, str]) -> bytes:
    """A zip of ``files`` (name -> text), the same bytes every time: sorted entries, fixed
    timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].encode("utf-8", "backslashreplace"))
    return buffer.getvalue()
