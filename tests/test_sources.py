"""The five source texts: byte-for-byte copies of the seeds, with a truthful manifest."""

from __future__ import annotations

import hashlib
import html
import os
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import course
from course import paths

#: Where the seeds (the texts as delivered) are: COURSE_SEEDS, which .ci/run sets when it finds
#: ../shared/seeds beside the clone; unset, this test skips and the manifest's hashes still pin the bytes.
SEEDS = Path(os.environ["COURSE_SEEDS"]) if os.environ.get("COURSE_SEEDS") else None


def test_manifest_lists_the_five_texts(source_ids):
    manifest = course.sources()
    assert list(manifest.index) == source_ids
    assert manifest["file"].map(lambda f: (paths.SOURCES / f).is_file()).all()
    assert set(manifest["kind"]) == {"news report", "think-tank summary", "explainer", "blog post"}
    assert set(manifest["shows_citations"]) <= {"yes", "partly", "no"}


def test_manifest_hashes_and_sizes_match_the_files():
    for _, row in course.sources().iterrows():
        data = (paths.SOURCES / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"], row["file"]
        assert len(data) == row["bytes"], row["file"]
        assert len(data.decode("utf-8").split()) == row["word_count"], row["file"]


def test_texts_are_byte_identical_to_their_seeds():
    if SEEDS is None:
        pytest.skip("COURSE_SEEDS is not set (no seeds beside this clone); the manifest hashes still pin the bytes")
    assert SEEDS.is_dir(), f"COURSE_SEEDS={SEEDS} is not a folder"
    manifest = course.sources()
    assert sorted(manifest["seed_file"]) == sorted(p.name for p in SEEDS.glob("*.txt"))
    for _, row in manifest.iterrows():
        assert (paths.SOURCES / row["file"]).read_bytes() == (SEEDS / row["seed_file"]).read_bytes(), row["file"]


def test_dates_come_from_the_texts_and_unknowns_stay_empty():
    manifest = course.sources()
    assert str(manifest["date_published"].dtype).startswith("datetime64")
    for source_id, shown in {"billions": "July 29, 2025", "merics": "Jul 22, 2025", "wsj": "date 2025-07-30"}.items():
        assert shown in course.load_source(source_id)
    assert manifest.loc[["curbs", "blog"], "date_published"].isna().all()
    for _, row in manifest.iterrows():
        for author in filter(None, row["authors"].split("; ")):
            assert author in course.load_source(row["source_id"]), author


def test_load_source_keeps_typography_exactly():
    text = course.load_source("merics")
    assert "\u00a0" in text and "’" in text
    assert course.load_source("billions").endswith("Share this article")


@pytest.mark.parametrize("bad, error, words", [
    ("nyt", KeyError, "Unknown source id 'nyt'"),
    (3, TypeError, "not int"),
])
def test_load_source_rejects_bad_ids_clearly(bad, error, words):
    with pytest.raises(error, match=words):
        course.load_source(bad)


def test_show_quote_displays_with_attribution():
    shown = course.show_quote("wsj", "up from 34% in 2024")
    plain = repr(shown)
    assert "up from 34% in 2024" in plain
    assert "wsj: Raffaele Huang; Liza Lin, The Wall Street Journal, 2025-07-30" in plain
    assert "<cite>" in shown._repr_html_()


class _Text(HTMLParser):
    """The text content of an HTML fragment and the elements in it, as a browser would see them."""

    def __init__(self, fragment: str):
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _old_markup(shown: course.Quote) -> str:
    """The quote as it was marked up before issue 23, with its attribution in a <footer>."""
    note = f"<br><small>{html.escape(shown.note)}</small>" if shown.note else ""
    if shown.context:
        before, _, after = shown.context.partition(shown.text)
        marked = f"{html.escape(before)}<mark>{html.escape(shown.text)}</mark>{html.escape(after)}"
        note += f"<br><small>In context: “{marked}”</small>"
    return (f'<blockquote class="course-quote"><p>{html.escape(shown.text)}</p>'
            f"<footer>— <cite>{html.escape(shown._label())}</cite>{note}</footer></blockquote>")


@pytest.mark.parametrize("shown", [
    course.show_quote("wsj", "up from 34% in 2024", note="a note & more"), course.quote("C010"), course.quote("C121"),
], ids=["note", "context", "plain"])
def test_a_quote_and_its_source_are_a_figure_not_a_landmark(shown):
    """A <footer> in an output is a "content info" landmark, one per quote; a figure with the
    source as its caption is none, and reads the same words in the same order."""
    new = _Text(shown._repr_html_())
    assert "footer" not in new.tags and "header" not in new.tags
    assert new.tags[:3] == ["figure", "blockquote", "p"] and {"figcaption", "cite"} <= set(new.tags)
    assert "".join(new.text) == "".join(_Text(_old_markup(shown)).text), "the rendered text is unchanged"


def test_show_quote_refuses_a_passage_not_in_the_text():
    # A straight apostrophe where the text has a curly one is a different passage.
    with pytest.raises(ValueError, match="not in source 'wsj' exactly"):
        course.show_quote("wsj", "China's AI push")
    with pytest.raises(ValueError, match="non-empty"):
        course.show_quote("wsj", "  ")


def test_undated_sources_say_so():
    assert course.attribution("blog").endswith("undated")


def test_missing_manifest_is_reported(tmp_path, monkeypatch):
    from course import texts as module

    monkeypatch.setattr(paths, "SOURCES", tmp_path)
    module._manifest.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="source manifest is missing"):
            course.sources()
    finally:
        monkeypatch.undo()
        module._manifest.cache_clear()
    assert isinstance(course.sources(), pd.DataFrame)


def test_import_is_light_and_side_effect_free():
    import subprocess
    import sys

    heavy = ("pandas", "matplotlib", "ipywidgets", "numpy")
    code = f"import sys, course; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert out.stderr == ""


def test_every_export_is_a_helper_not_a_module():
    """A submodule named like an export would shadow it once imported (``course.sources``)."""
    import importlib
    import pkgutil
    import types

    for info in pkgutil.iter_modules(course.__path__):
        importlib.import_module(f"course.{info.name}")
    for name in course.__all__:
        assert not isinstance(getattr(course, name), types.ModuleType), name


def test_every_source_says_whose_it_is_and_on_what_terms_the_course_uses_it():
    manifest = course.sources()
    assert manifest["rights"].notna().all(), "a source has no rights statement"
    for source_id, rights in manifest["rights"].items():
        assert rights.startswith("Rights holder: "), source_id
        assert "not covered by the course's licences" in rights, source_id
    notice = (paths.SOURCES / "README.md").read_text(encoding="utf-8")
    assert "LICENSE-content" in notice and "redistribute" in notice
