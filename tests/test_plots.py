"""The course figure style: rules that every figure must keep."""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import pytest

import course
from course import plots


def test_chart_sets_title_labels_and_colour_blind_safe_cycle():
    fig, ax = course.chart("Words per text", x="words (count)", y="source")
    assert ax.get_title(loc="left") == "Words per text"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("words (count)", "source")
    (line,) = ax.plot([0, 1], [0, 1])
    assert mcolors.to_hex(line.get_color()).upper() == plots.OKABE_ITO[0].upper()


@pytest.mark.parametrize(
    "kwargs", [dict(title="", x="a", y="b"), dict(title="t", x=" ", y="b"), dict(title="t", x="a", y=None)]
)
def test_chart_refuses_missing_labels(kwargs):
    title = kwargs.pop("title")
    with pytest.raises(ValueError, match="needs a"):
        course.chart(title, **kwargs)


def test_show_figure_captions_with_sources_and_a_sentence(capsys):
    fig, ax = course.chart("Words per text", x="words (count)", y="source")
    ax.barh(["wsj"], [1])
    course.show_figure(fig, sources=["wsj"], says="One bar shows the length of the \"WSJ\" report.")
    out = capsys.readouterr().out
    assert "[figure: Words per text]" in out
    assert "Sources: wsj" in out and "What the figure shows: One bar" in out
    assert any(t.get_text() == "Sources: wsj" for t in fig.texts)


def test_figure_bundle_stores_one_deterministic_png_with_alt_text():
    def bundle():
        fig, ax = course.chart("Words per text", x="words (count)", y="source")
        ax.barh(["wsj", "blog"], [3, 2])
        return plots.figure_bundle(fig, 'Two bars: "wsj" is longer than blog.')

    first, second = bundle(), bundle()
    assert first == second
    assert set(first) == {"text/html", "text/plain"}, "the image is stored once, in the <img>"
    assert first["text/plain"] == "[figure: Words per text]"
    match = re.fullmatch(
        r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)" style="max-width:100%;height:auto">',
        first["text/html"],
    )
    assert match, first["text/html"][:80]
    assert base64.b64decode(match[1]).startswith(b"\x89PNG\r\n"), "the data URI holds a PNG"
    assert match[2] == "Two bars: &quot;wsj&quot; is longer than blog."


def test_show_figure_refuses_figures_that_break_the_rules():
    fig, _ = course.chart("t", x="a", y="b")
    with pytest.raises(ValueError, match="full sentence"):
        course.show_figure(fig, sources=["wsj"], says="A chart.")
    with pytest.raises(ValueError, match="at least one"):
        course.show_figure(fig, says="This sentence is long enough to describe it.")
    with pytest.raises(KeyError, match="nyt"):
        course.show_figure(fig, sources=["nyt"], says="This sentence is long enough to describe it.")
    fig.axes[0].set_xlabel("")
    with pytest.raises(ValueError, match="Label both axes"):
        course.show_figure(fig, sources=["wsj"], says="This sentence is long enough to describe it.")


def test_a_colour_bar_panel_needs_no_title_of_its_own(capsys):
    fig, ax = course.chart("Mentions per text", x="company", y="source text (id)")
    image = ax.imshow([[1, 2], [3, 4]], cmap="cividis")
    fig.colorbar(image, ax=ax, label="mentions (count)")
    course.show_figure(fig, sources=["wsj"], says="A heatmap of how often each company is named.")
    assert "[figure: Mentions per text]" in capsys.readouterr().out


def test_the_sentence_under_a_figure_is_never_typeset_as_maths():
    sentence = "Shanghai's programme costs $139 million, or $0.14 billion, in all."
    described = plots.Described(sentence, "Sources: billions")
    shown = described._repr_html_()
    assert "<span>$</span>139 million" in shown and "$0" not in shown.replace("<span>$</span>", "")
