"""A lesson as it opens, before anything runs: its committed figures (one data-URI <img> each,
stored once by course.show_figure) are shown with their alt text although the notebook is not
trusted, because JupyterLab's sanitizer keeps an <img>'s data URI and alt."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
LESSON = "notebooks/01-reading-the-sources.ipynb"


def test_committed_figures_show_with_alt_text_before_running(page, lab):
    page.goto(f"{lab.url}/lab/tree/{LESSON}?reset&token={lab.token}")
    images = page.locator(".jp-OutputArea-output img")
    images.first.wait_for()
    assert images.count() >= 1
    for i in range(images.count()):
        image = images.nth(i)
        assert len((image.get_attribute("alt") or "").split()) >= 6, "a figure without alt text"
        assert (image.get_attribute("src") or "").startswith("data:image/png;base64,")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the PNG does not load"
