"""Figure style for the book's chapters: figures drawn by code at build time that read in light
and dark mode alike (transparent background, mid-grey ink, a colour-blind-safe palette).

A chapter's hidden figure cell starts with::

    from _figures import PALETTE, INK, style
    style()
"""

from __future__ import annotations

import matplotlib as mpl

#: Text, axes and lines: a grey that reads on a white page and on a dark one.
INK = "#8a8a8a"
#: Okabe–Ito colours (colour-blind safe), all legible on light and dark backgrounds.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")


def style() -> None:
    """Transparent figures with grey ink; call once at the top of a figure cell.

    The backend stays the kernel's own (inline), so ``plt.show()`` puts the figure on the page.
    """
    mpl.rcParams.update(
        {
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.transparent": True,
            "text.color": INK,
            "axes.labelcolor": INK,
            "axes.edgecolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "grid.color": INK,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "figure.dpi": 110,
            "font.size": 11,
            "mathtext.fontset": "cm",
        }
    )
