"""The /chart PNG: weekly contacts (bars) and weekly engagement rates (lines with % labels).

matplotlib is imported inside :func:`render_chart_png` (it costs about a second to import),
with the headless Agg backend, so start-up stays fast and no display is needed. The function
is synchronous and CPU-bound: handlers run it with ``asyncio.to_thread``.

Bengali: matplotlib's DejaVu Sans has no Bengali glyphs, so the Noto Sans Bengali fonts in
``bot/fonts`` (SIL OFL 1.1) are registered and used as a fallback after DejaVu Sans: Latin
text looks as before, Bengali letters and digits come from Noto. matplotlib (3.11+) shapes
text with libraqm, so conjuncts and vowel signs (ক্ষ, প্রশিক্ষণ, কো) come out right. Every
number drawn (week dates, bar counts, percentages, axis ticks) is written in the reader's
digits (``t.digits``), as in the text replies.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any, Final

from bot.core.domain import Service
from bot.core.i18n import Translator
from bot.reports.collect import WeeklySeries
from bot.reports.figures import SHORT_SERVICE_LABELS, team_label

_COLOURS = {Service.DRUG_TREATMENT: "#c0392b", Service.ETE: "#1f77b4"}
_MARKERS = {Service.DRUG_TREATMENT: "o", Service.ETE: "s"}
FONT_DIR: Final = Path(__file__).resolve().parents[1] / "fonts"  # bot/fonts
BENGALI_FONT_FILES: Final = ("NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf")
BENGALI_FAMILY: Final = "Noto Sans Bengali"
# DejaVu Sans (matplotlib's default) first, so English charts are unchanged; then Bengali.
FONT_FAMILIES: Final = ["DejaVu Sans", BENGALI_FAMILY]


_fonts_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> None:
    """Make the bundled Bengali fonts known to matplotlib and put them in the default font
    family, once per process. Process-wide on purpose: ``rc_context`` would restore the
    setting under a chart another thread is still drawing (the chart is matplotlib's only
    use here)."""
    global _fonts_registered
    with _fonts_lock:
        if _fonts_registered:
            return
        import matplotlib
        from matplotlib import font_manager

        for name in BENGALI_FONT_FILES:
            font_manager.fontManager.addfont(str(FONT_DIR / name))
        matplotlib.rcParams["font.family"] = FONT_FAMILIES
        _fonts_registered = True


def render_chart_png(t: Translator, series: WeeklySeries) -> bytes:
    """A 1080×1350 PNG (portrait, phone-sized) with large fonts and labelled axes."""
    buffer = io.BytesIO()
    build_chart_figure(t, series).savefig(buffer, format="png")
    return buffer.getvalue()


def build_chart_figure(t: Translator, series: WeeklySeries) -> Any:
    """The chart as a matplotlib ``Figure`` (tests read its texts); not yet drawn."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure  # no pyplot: no global state between renders
    from matplotlib.ticker import FuncFormatter

    register_fonts()
    labels = [t.digits(f"{week.first_day:%d/%m}") for week in series.weeks]
    positions = list(range(len(labels)))
    step = max(1, len(labels) // 12)  # at most ~12 tick labels on a phone

    figure = Figure(figsize=(9, 11.25), dpi=120, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    figure.suptitle(
        t(
            "{team}: last {weeks} weeks",
            team=team_label(t, series.team),
            weeks=len(series.weeks),
        ),
        fontsize=22,
        fontweight="bold",
    )

    bars = top.bar(positions, series.contacts, color="#7f8c8d")
    if len(positions) <= 26:
        top.bar_label(
            bars, labels=[t.digits(str(n)) for n in series.contacts], fontsize=13, padding=2
        )
    top.set_title(t("Contacts per week"), fontsize=19)
    top.set_ylabel(t("Contacts"), fontsize=17)
    top.set_ylim(0, max([*series.contacts, 1]) * 1.18)
    _style(top)

    for service, rates in series.engagement.items():
        xs = [x for x, rate in zip(positions, rates, strict=True) if rate.percent is not None]
        ys = [rate.percent for rate in rates if rate.percent is not None]
        bottom.plot(
            xs,
            ys,
            marker=_MARKERS.get(service, "o"),
            markersize=8,
            linewidth=3,
            color=_COLOURS.get(service),
            label=t(SHORT_SERVICE_LABELS.get(service, service.value)),
        )
        if len(xs) <= 26:
            for x, y in zip(xs, ys, strict=True):
                bottom.annotate(
                    t.digits(f"{y}%"),
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 10),
                    ha="center",
                    fontsize=12,
                    color=_COLOURS.get(service),
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                )
    bottom.set_title(t("Engagement rate per week"), fontsize=19)
    bottom.set_ylabel(t("Engaged / eligible (%)"), fontsize=17)
    bottom.set_xlabel(t("Week starting (Monday)"), fontsize=17)
    bottom.set_ylim(0, 112)
    bottom.legend(fontsize=15, loc="lower left")
    _style(bottom)
    bottom.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    if t.digits("0123456789") != "0123456789":  # English keeps matplotlib's own tick labels
        for axes in (top, bottom):
            axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: t.digits(f"{value:g}")))
    return figure


def _style(axes: Any) -> None:
    axes.tick_params(labelsize=14)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
