"""One figure style for the whole course, and the rules every figure keeps.

A course figure has a title, labelled axes with units, a caption line naming the claims
and sources it rests on, and a sentence beneath saying what it shows (for readers who
cannot see it). ``chart`` and ``show_figure`` make the first three hard to forget and the last
one impossible to skip::

    fig, ax = chart("Shanghai's AI subsidy fund by purpose", x="amount (million yuan)", y="purpose")
    ax.barh(...)
    show_figure(fig, claims=["C010"], says="Computing power takes the largest share ...")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

#: Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Hatches to pair with colours, so that categories do not rely on colour alone.
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")

#: matplotlib settings of the course style (typed, so a misspelt setting is a mypy error).
STYLE: dict[RcKeyType, Any] = {
    "axes.prop_cycle": None,  # filled in by _style()
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.figsize": (7.5, 4.2),
    "figure.dpi": 100,
    "font.size": 11,
    "legend.frameon": False,
    "svg.hashsalt": "course",
}


def _style() -> dict[RcKeyType, Any]:
    from cycler import cycler

    return {**STYLE, "axes.prop_cycle": cycler(color=OKABE_ITO)}


def chart(title: str, *, x: str, y: str, size: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    """A new figure in the course style with its title and axis labels (give units in
    the labels, e.g. ``"amount (million yuan)"``)."""
    import matplotlib.pyplot as plt

    for name, value in {"title": title, "x": x, "y": y}.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"A course figure needs a {name} label; got {value!r}.")
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=size or STYLE["figure.figsize"], layout="constrained")
        ax.set_title(title, loc="left")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    return fig, ax


def source_line(claims: Iterable[str] = (), sources: Iterable[str] = ()) -> str:
    """``Sources: wsj (C201, C202); billions (C012)`` for the claims a figure rests on;
    ``sources`` adds whole texts (a figure about the texts themselves)."""
    wanted = list(dict.fromkeys(claims))
    by_source: dict[str, list[str]] = {}
    if wanted:
        from course.evidence import claim_sources

        known = claim_sources()
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise KeyError(f"Unknown claim ids in figure caption: {', '.join(unknown)}")
        for claim_id in wanted:
            by_source.setdefault(known[claim_id], []).append(claim_id)
    if sources:
        from course.texts import source_ids

        for source_id in sources:
            if source_id not in source_ids():
                raise KeyError(f"Unknown source id in figure caption: {source_id!r}")
            by_source.setdefault(source_id, [])
    if not by_source:
        raise ValueError("A course figure must cite at least one claim id or source id.")
    return "Sources: " + "; ".join(f"{s} ({', '.join(ids)})" if ids else s for s, ids in by_source.items())


class Described:
    """The caption and the sentence under a figure, as Markdown and plain text."""

    def __init__(self, says: str, caption: str):
        self.says = says
        self.caption = caption

    def __repr__(self) -> str:
        return f"{self.caption}\nWhat the figure shows: {self.says}"

    def _repr_html_(self) -> str:
        # A dollar sign is money here, not the start of a formula. JupyterLab typesets $…$ in an
        # output as maths; MathJax reads each element's text on its own, so a dollar sign in an
        # element of its own cannot pair with another.
        import html

        caption, says = (html.escape(text).replace("$", "<span>$</span>") for text in (self.caption, self.says))
        return f"<p><small>{caption}</small></p><p><strong>What the figure shows:</strong> {says}</p>"


def figure_bundle(fig: Figure, alt: str) -> dict[str, str]:
    """The figure as a display bundle that stores its image once: an HTML ``<img>`` holding
    the PNG as a data URI, whose ``alt`` is the sentence saying what the figure shows, and a
    plain-text stand-in (``[figure: title]``) for nbval and text viewers.

    Why not ``image/png``: JupyterLab renders a PNG output as an ``<img>`` with no alt text, so
    a screen reader would meet an unlabelled image; and a bundle with both a PNG and the HTML
    stores every figure twice (two thirds of a lesson's bytes, and noisy diffs). JupyterLab's
    sanitizer keeps a data-URI ``<img>`` with its ``alt`` in notebooks that are not trusted, so
    the committed figures show before a learner runs anything. The PNG carries no software or
    date metadata, so the bundle is the same on every run."""
    import base64
    import html
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    title = next((t for ax in fig.axes for t in (ax.get_title(loc="left"), ax.get_title()) if t), "")
    return {
        "text/html": (
            f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}" '
            'style="max-width:100%;height:auto">'
        ),
        "text/plain": f"[figure: {title}]",
    }


def show_figure(fig: Figure, *, says: str, claims: Iterable[str] = (), sources: Iterable[str] = ()) -> None:
    """Finish a figure: check its labels, add the source line, then display it (with the
    sentence as its alt text) and the sentence beneath it, and close it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not isinstance(says, str) or len(says.split()) < 6:
        raise ValueError("Say in a full sentence what the figure shows, for readers who cannot see it.")
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":  # a colour bar is labelled through its mappable
            continue
        if not ax.get_title(loc="left") and not ax.get_title():
            raise ValueError("Every panel needs a title.")
        if not ax.get_xlabel() or not ax.get_ylabel():
            raise ValueError("Label both axes, with units.")
    caption = source_line(claims, sources)
    fig.text(0.0, -0.02, caption, ha="left", va="top", fontsize=9, color="#333333", transform=fig.transFigure)
    display(figure_bundle(fig, says.strip()), raw=True)
    plt.close(fig)
    display(Described(says.strip(), caption))
