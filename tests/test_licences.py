"""What anyone who reuses the course may do: the licences exist and the README says which covers what."""

from __future__ import annotations

from course import paths


def test_code_is_mit_and_content_is_cc_by_4():
    assert (paths.ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    content = (paths.ROOT / "LICENSE-content").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in content
    assert "data/sources/*.txt" in content, "the content licence must say the texts are not covered"


def test_readme_says_which_licence_covers_which_folder():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Licences", 1)[1].split("\n## ", 1)[0]
    for name in ("LICENSE", "LICENSE-content", "data/sources/README.md", "course/", "notebooks/", "data/tables/"):
        assert name in section, f"the README's licence paragraph does not name {name}"
