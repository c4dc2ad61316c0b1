"""The queue's "intakes per week by outcome" chart: counts in one grouped query, laid out here as plain
numbers and drawn as SVG by a template (screening/staff/includes/_chart.svg).

The SVG is drawn on the server so the page needs no script, and it carries no style attributes because the
site's Content Security Policy refuses inline styles: colours are presentation attributes (``fill``), which
the stylesheet may override through the ``fc-chart__*`` classes.
"""

from datetime import date, datetime, time, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString

from screening.casework.models import SEVERITY_RANK, Case

Weekly = list[tuple[date, dict[str, int]]]

# The badge colours in site.css (.fc-badge--<outcome>), so the chart reads the same without the stylesheet.
FILLS = {
    "screening_error": "#b3261e",
    "urgent": "#b3261e",
    "not_suitable_now": "#6b3d00",
    "needs_info": "#1d5fa0",
    "specialist_review": "#00703c",
    "routine": "#505a5f",
}
OTHER_FILL = "#6f777b"
# A screening error shares the urgent badge's red; in a stack the two would touch and look like one,
# so its segments are striped as well (the badges can share a colour: they carry their words).
STRIPED = "screening_error"
TEXT, AXIS, GRID, SECONDARY = "#0b0c0c", "#505a5f", "#b1b4b6", "#505a5f"

# Geometry in viewBox units; the SVG scales to the width of its container.
WIDTH = 640
LEFT, RIGHT, TOP = 40, 20, 16
PLOT_HEIGHT = 160
FONT_SIZE = 12
CHAR_WIDTH = 7  # a generous average advance at FONT_SIZE, to lay out labels without measuring text
X_LABEL_WIDTH = 48  # "30 Nov" plus a gap
LEGEND_ROW = 20
SWATCH = 12


def weekly_counts(cases: QuerySet[Case], *, weeks: int, today: date) -> Weekly:
    """Cases per week (Monday start, local time) and outcome, for the ``weeks`` weeks ending with the week
    of ``today``: every week present, oldest first, every known outcome present (zero when none)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    zone = timezone.get_current_timezone()
    rows = (
        cases.filter(
            received_at__gte=_midnight(first, zone),
            received_at__lt=_midnight(first + timedelta(weeks=weeks), zone),
        )
        # Truncated in local time: a case received late on Sunday evening belongs to that week,
        # even though it is already Monday in UTC.
        .annotate(week=TruncWeek("received_at", tzinfo=zone))
        .order_by()
        .values("week", "outcome")
        .annotate(n=Count("id"))
    )
    counts = {first + timedelta(weeks=i): dict.fromkeys(SEVERITY_RANK, 0) for i in range(weeks)}
    for row in rows:
        counts[row["week"].date()][row["outcome"]] = row["n"]
    return list(counts.items())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def weekly_svg(
    weekly: Weekly, outcomes: list[tuple[str, str]], *, chart_id: str = "fc-weekly-chart"
) -> SafeString:
    """The chart drawn (its template, with ``weekly_chart``'s layout)."""
    return render_to_string(
        "screening/staff/includes/_chart.svg", {"chart": weekly_chart(weekly, outcomes, chart_id)}
    )


def weekly_chart(weekly: Weekly, outcomes: list[tuple[str, str]], chart_id: str) -> dict:
    """A stacked bar per week, one segment per outcome in the order of ``outcomes`` (the first at the
    bottom), with a title and a summary for screen readers and a tooltip on every segment: the layout,
    as numbers and words for the template.

    ``outcomes`` are (value, label) pairs; counts for other outcomes are left out of the bars and the
    totals alike, so what is drawn and what is said agree. ``chart_id`` prefixes the element ids."""
    totals = [sum(counts.get(value, 0) for value, _label in outcomes) for _week, counts in weekly]
    top = max(totals, default=0)
    plot_width = WIDTH - LEFT - RIGHT
    base = TOP + PLOT_HEIGHT
    slot = plot_width / len(weekly) if weekly else plot_width
    legend, height = _legend(outcomes, base + 36, chart_id)
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": height,
        "font_size": FONT_SIZE,
        "text": TEXT,
        "summary": _summary(weekly, outcomes, totals),
        "stripe_fill": FILLS[STRIPED],
        "axis": {
            "left": LEFT,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "base": _n(base),
            "stroke": AXIS,
            "grid": GRID,
            "label_x": LEFT - 6,
            "top_label_y": TOP + 4,
            "base_label_y": _n(base + 4),
            "max": top,
        },
        "weeks": [
            _week_bars(i, week, counts, outcomes, slot, base, top, chart_id)
            for i, (week, counts) in enumerate(weekly)
        ]
        if top
        else [],
        "empty": None
        if top
        else {"x": _n(LEFT + plot_width / 2), "y": _n(TOP + PLOT_HEIGHT / 2), "fill": SECONDARY},
        "x_labels": _x_labels(weekly, slot, base),
        "legend": legend,
    }


def _summary(weekly: Weekly, outcomes: list[tuple[str, str]], totals: list[int]) -> str:
    """One sentence or two for screen readers: the total, the split by outcome, the busiest week."""
    if not weekly:
        return "No intakes."
    total = sum(totals)
    span = (
        f"{_plural(len(weekly), 'week')} from {_day(weekly[0][0], 'j F')} "
        f"to {_day(weekly[-1][0] + timedelta(days=6), 'j F Y')}"
    )
    if not total:
        return f"No intakes in {span}."
    split = ", ".join(
        f"{n} {label.lower()}"
        for value, label in outcomes
        if (n := sum(counts.get(value, 0) for _week, counts in weekly))
    )
    busiest = max(range(len(weekly)), key=lambda i: (totals[i], i))  # the latest of equal weeks
    return (
        f"{_plural(total, 'intake')} in {span}: {split}. "
        f"Most in the week of {_day(weekly[busiest][0], 'j F')}: {totals[busiest]}."
    )


def _fill(value: str, chart_id: str) -> str:
    if value == STRIPED:
        return f"url(#{chart_id}-stripes)"
    return FILLS.get(value, OTHER_FILL)


def _week_bars(
    i: int,
    week: date,
    counts: dict[str, int],
    outcomes: list[tuple[str, str]],
    slot: float,
    base: float,
    top: int,
    chart_id: str,
) -> dict:
    scale = PLOT_HEIGHT / top
    x = LEFT + i * slot + slot * 0.15
    y = base
    segments = []
    for value, label in outcomes:
        n = counts.get(value, 0)
        if not n:
            continue
        height = n * scale
        y -= height
        segments.append(
            {
                "value": value,
                "x": _n(x),
                "y": _n(y),
                "width": _n(slot * 0.7),
                "height": _n(height),
                "fill": _fill(value, chart_id),
                "title": f"Week of {_day(week, 'j M')}: {n} {label.lower()}",
            }
        )
    return {"iso": week.isoformat(), "segments": segments}


def _x_labels(weekly: Weekly, slot: float, base: float) -> list[dict]:
    """Week starts under the bars; when they would collide, every n-th, always including this week."""
    step = max(1, ceil(len(weekly) * X_LABEL_WIDTH / (WIDTH - LEFT - RIGHT)))
    last = len(weekly) - 1
    return [
        {"x": _n(LEFT + i * slot + slot / 2), "y": _n(base + 16), "text": _day(week, "j M")}
        for i, (week, _counts) in enumerate(weekly)
        if (last - i) % step == 0
    ]


def _legend(outcomes: list[tuple[str, str]], y: float, chart_id: str) -> tuple[list[dict], int]:
    """The outcome labels with their colours, wrapped into rows; returns them and the chart's height."""
    items = []
    x, row = LEFT, 0
    for value, label in outcomes:
        width = SWATCH + 6 + len(label) * CHAR_WIDTH + 16
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = LEFT, row + 1
        top = y + row * LEGEND_ROW
        items.append(
            {
                "value": value,
                "x": x,
                "y": _n(top),
                "size": SWATCH,
                "fill": _fill(value, chart_id),
                "text_x": x + SWATCH + 6,
                "text_y": _n(top + SWATCH - 1),
                "label": label,
            }
        )
        x += width
    rows = row + 1 if outcomes else 0
    return items, ceil(y + rows * LEGEND_ROW)


def _n(number: float) -> str:
    """A coordinate with at most two decimals: short, and the same on every platform."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _day(day: date, fmt: str) -> str:
    return dateformat.format(day, fmt)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
