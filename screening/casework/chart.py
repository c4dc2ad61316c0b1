"""The queue's "intakes per week by outcome" chart: counts in one grouped query, drawn as plain SVG.

The SVG is built on the server so the page needs no script, and it carries no style attributes because the
site's Content Security Policy refuses inline styles: colours are presentation attributes (``fill``), which
the stylesheet may override through the ``fc-chart__*`` classes.
"""

from datetime import date, datetime, time, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
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
    """A stacked bar per week, one segment per outcome in the order of ``outcomes`` (the first at the
    bottom), with a title and a summary for screen readers and a tooltip on every segment.

    ``outcomes`` are (value, label) pairs; counts for other outcomes are left out of the bars and the
    totals alike, so what is drawn and what is said agree. ``chart_id`` prefixes the element ids."""
    totals = [sum(counts.get(value, 0) for value, _label in outcomes) for _week, counts in weekly]
    top = max(totals, default=0)
    plot_width = WIDTH - LEFT - RIGHT
    base = TOP + PLOT_HEIGHT
    slot = plot_width / len(weekly) if weekly else plot_width

    parts: list[SafeString] = [
        format_html('<title id="{}-title">Intakes per week by outcome</title>', chart_id),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, _summary(weekly, outcomes, totals)),
        _stripes(chart_id),
        _axes(top, base),
    ]
    if top:
        parts += [
            _week_bars(i, week, counts, outcomes, slot, base, top, chart_id)
            for i, (week, counts) in enumerate(weekly)
        ]
    else:
        parts.append(
            format_html(
                '<text class="fc-chart__empty" x="{}" y="{}" text-anchor="middle" fill="{}">'
                "No intakes in these weeks</text>",
                _n(LEFT + plot_width / 2),
                _n(TOP + PLOT_HEIGHT / 2),
                SECONDARY,
            )
        )
    parts.append(_x_labels(weekly, slot, base))
    legend, height = _legend(outcomes, base + 36, chart_id)
    parts.append(legend)

    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="fc-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" font-size="{}" fill="{}">{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        FONT_SIZE,
        TEXT,
        _join(parts),
    )


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


def _stripes(chart_id: str) -> SafeString:
    return format_html(
        '<defs><pattern id="{}-stripes" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="{}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>',
        chart_id,
        FILLS[STRIPED],
    )


def _fill(value: str, chart_id: str) -> str:
    if value == STRIPED:
        return f"url(#{chart_id}-stripes)"
    return FILLS.get(value, OTHER_FILL)


def _axes(top: int, base: float) -> SafeString:
    """The axes, with the base and (when there is anything to draw) the maximum marked."""
    right = WIDTH - RIGHT
    maximum = format_html(
        '<line class="fc-chart__grid" x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="{grid}" '
        'stroke-dasharray="4 4"/>'
        '<text class="fc-chart__label" x="{label_x}" y="{label_y}" text-anchor="end">{max}</text>',
        left=LEFT,
        right=right,
        top=TOP,
        grid=GRID,
        label_x=LEFT - 6,
        label_y=TOP + 4,
        max=top,
    )
    return format_html(
        '<g class="fc-chart__axis">'
        '<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="{axis}"/>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{axis}"/>'
        "{maximum}"
        '<text class="fc-chart__label" x="{label_x}" y="{label_y}" text-anchor="end">0</text>'
        "</g>",
        left=LEFT,
        right=right,
        top=TOP,
        base=_n(base),
        axis=AXIS,
        maximum=maximum if top else "",
        label_x=LEFT - 6,
        label_y=_n(base + 4),
    )


def _week_bars(
    i: int,
    week: date,
    counts: dict[str, int],
    outcomes: list[tuple[str, str]],
    slot: float,
    base: float,
    top: int,
    chart_id: str,
) -> SafeString:
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
            format_html(
                '<rect class="fc-chart__bar fc-chart__bar--{}" x="{}" y="{}" width="{}" height="{}" '
                'fill="{}" stroke="#ffffff" stroke-width="1">'
                "<title>Week of {}: {} {}</title></rect>",
                value,
                _n(x),
                _n(y),
                _n(slot * 0.7),
                _n(height),
                _fill(value, chart_id),
                _day(week, "j M"),
                n,
                label.lower(),
            )
        )
    return format_html(
        '<g class="fc-chart__week" data-week="{}">{}</g>', week.isoformat(), _join(segments)
    )


def _x_labels(weekly: Weekly, slot: float, base: float) -> SafeString:
    """Week starts under the bars; when they would collide, every n-th, always including this week."""
    step = max(1, ceil(len(weekly) * X_LABEL_WIDTH / (WIDTH - LEFT - RIGHT)))
    last = len(weekly) - 1
    return format_html(
        '<g class="fc-chart__x-labels">{}</g>',
        format_html_join(
            "",
            '<text class="fc-chart__label" x="{}" y="{}" text-anchor="middle">{}</text>',
            (
                (_n(LEFT + i * slot + slot / 2), _n(base + 16), _day(week, "j M"))
                for i, (week, _counts) in enumerate(weekly)
                if (last - i) % step == 0
            ),
        ),
    )


def _legend(outcomes: list[tuple[str, str]], y: float, chart_id: str) -> tuple[SafeString, int]:
    """The outcome labels with their colours, wrapped into rows; returns it and the chart's height."""
    items = []
    x, row = LEFT, 0
    for value, label in outcomes:
        width = SWATCH + 6 + len(label) * CHAR_WIDTH + 16
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = LEFT, row + 1
        top = y + row * LEGEND_ROW
        items.append(
            format_html(
                '<g class="fc-chart__key">'
                '<rect class="fc-chart__swatch fc-chart__swatch--{}" x="{}" y="{}" width="{}" '
                'height="{}" fill="{}"/>'
                '<text class="fc-chart__label" x="{}" y="{}">{}</text></g>',
                value,
                x,
                _n(top),
                SWATCH,
                SWATCH,
                _fill(value, chart_id),
                x + SWATCH + 6,
                _n(top + SWATCH - 1),
                label,
            )
        )
        x += width
    rows = row + 1 if outcomes else 0
    height = ceil(y + rows * LEGEND_ROW)
    return format_html('<g class="fc-chart__legend">{}</g>', _join(items)), height


def _join(parts: list[SafeString]) -> SafeString:
    # format_html_join escapes anything that is not already safe, so no part can slip through raw.
    return format_html_join("", "{}", ((part,) for part in parts))


def _n(number: float) -> str:
    """A coordinate with at most two decimals: short, and the same on every platform."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _day(day: date, fmt: str) -> str:
    return dateformat.format(day, fmt)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
