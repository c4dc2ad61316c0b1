"""The queue's weekly chart: counts per local week and outcome in one query, and an accessible SVG."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from screening.casework.chart import FILLS, weekly_counts, weekly_svg
from screening.casework.models import SEVERITY_RANK, Case
from screening.intake import reference_codes as codes
from screening.intake.catalogue import QUESTIONNAIRE_VERSION
from screening.intake.models import Intake
from screening.rules.outcomes import CASE_CHOICES as OUTCOME_CHOICES
from screening.rules.outcomes import queue_rank

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2025, 11, 12)  # a Wednesday; US daylight saving time ended on Sunday 2 November
MONDAYS = [date(2025, 10, 20), date(2025, 10, 27), date(2025, 11, 3), date(2025, 11, 10)]


def _case(received_at: datetime, outcome: str = "routine") -> Case:
    intake = Intake.objects.create(
        reference=codes.new_reference(),
        status=Intake.Status.SUBMITTED,
        questionnaire_version=QUESTIONNAIRE_VERSION,
        expires_at=received_at + timedelta(days=30),
        submitted_at=received_at,
    )
    return Case.objects.create(
        intake=intake,
        outcome=outcome,
        tier=1 if outcome == "urgent" else None,
        severity=queue_rank(outcome, 1 if outcome == "urgent" else None),
        received_at=received_at,
    )


def _at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def _counts(weekly) -> dict[date, dict[str, int]]:
    """The non-zero counts per week, so a test states only what it expects to see."""
    return {week: {k: n for k, n in counts.items() if n} for week, counts in weekly}


# --- Counting -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Auckland"])
def test_it_counts_cases_per_local_week_and_outcome(settings, zone):
    settings.TIME_ZONE = zone
    _case(_at(zone, 2025, 10, 19, 23, 59), "urgent")  # the Sunday before the first week: left out
    _case(_at(zone, 2025, 10, 20, 0, 0), "urgent")  # the first moment of the first week
    _case(_at(zone, 2025, 10, 20, 9, 0), "routine")
    _case(_at(zone, 2025, 11, 2, 23, 30), "urgent")  # Sunday night: the week of 27 October
    _case(_at(zone, 2025, 11, 3, 0, 10), "needs_info")  # Monday just after midnight: a new week
    _case(_at(zone, 2025, 11, 3, 12, 0), "needs_info")
    _case(_at(zone, 2025, 11, 3, 13, 0), "screening_error")
    _case(_at(zone, 2025, 11, 16, 23, 59), "routine")  # the last moment of this week
    _case(_at(zone, 2025, 11, 17, 0, 0), "routine")  # next week: left out

    weekly = weekly_counts(Case.objects.all(), weeks=4, today=TODAY)

    assert [week for week, _counts in weekly] == MONDAYS
    assert _counts(weekly) == {
        date(2025, 10, 20): {"urgent": 1, "routine": 1},
        date(2025, 10, 27): {"urgent": 1},
        date(2025, 11, 3): {"needs_info": 2, "screening_error": 1},
        date(2025, 11, 10): {"routine": 1},
    }


@pytest.mark.django_db
def test_it_reads_the_sunday_night_case_in_local_time_not_utc(settings):
    settings.TIME_ZONE = "America/New_York"
    sunday_night = _at("America/New_York", 2025, 11, 2, 23, 30)
    assert sunday_night.astimezone(ZoneInfo("UTC")).date() == date(2025, 11, 3)  # Monday in UTC
    _case(sunday_night, "urgent")
    weekly = dict(weekly_counts(Case.objects.all(), weeks=4, today=TODAY))
    assert weekly[date(2025, 10, 27)]["urgent"] == 1
    assert weekly[date(2025, 11, 3)]["urgent"] == 0


@pytest.mark.django_db
def test_it_fills_empty_weeks_and_outcomes_with_zero(settings):
    settings.TIME_ZONE = "America/New_York"
    _case(_at("America/New_York", 2025, 11, 12, 10, 0), "urgent")
    weekly = weekly_counts(Case.objects.all(), weeks=12, today=TODAY)
    assert len(weekly) == 12
    assert weekly[0][0] == date(2025, 8, 25) and weekly[-1][0] == date(2025, 11, 10)
    assert all(b - a == timedelta(weeks=1) for (a, _x), (b, _y) in pairwise(weekly))
    assert all(set(counts) == set(SEVERITY_RANK) for _week, counts in weekly)
    assert [sum(counts.values()) for _week, counts in weekly] == [0] * 11 + [1]


@pytest.mark.django_db
def test_it_counts_only_the_cases_it_is_given(settings):
    settings.TIME_ZONE = "America/New_York"
    _case(_at("America/New_York", 2025, 11, 12, 10, 0), "urgent")
    _case(_at("America/New_York", 2025, 11, 12, 11, 0), "routine")
    weekly = weekly_counts(Case.objects.filter(outcome="urgent"), weeks=1, today=TODAY)
    assert _counts(weekly) == {date(2025, 11, 10): {"urgent": 1}}


@pytest.mark.django_db
def test_it_counts_in_one_query(settings, django_assert_num_queries):
    settings.TIME_ZONE = "America/New_York"
    for day in range(1, 29):
        _case(_at("America/New_York", 2025, 10, day, 12, 0), list(SEVERITY_RANK)[day % 6])
    with django_assert_num_queries(1):
        weekly = weekly_counts(Case.objects.order_by("received_at"), weeks=12, today=TODAY)
    assert sum(sum(counts.values()) for _week, counts in weekly) == 28


def test_it_refuses_a_window_of_no_weeks():
    with pytest.raises(ValueError):
        weekly_counts(Case.objects.none(), weeks=0, today=TODAY)


# --- Drawing ------------------------------------------------------------------------------------------

WEEKLY = [
    (date(2025, 10, 27), {"urgent": 1, "routine": 1}),
    (date(2025, 11, 3), {"urgent": 2, "needs_info": 1, "routine": 1}),
    (date(2025, 11, 10), {}),
]


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 (the app's own output, not untrusted input)


def _by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in (el.get("class") or "").split()]


def test_it_draws_an_image_with_a_title_and_a_summary():
    root = _parse(weekly_svg(WEEKLY, OUTCOME_CHOICES))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 ")
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    title_id, desc_id = root.get("aria-labelledby").split()
    assert by_id[title_id].tag == SVG + "title"
    assert by_id[title_id].text == "Intakes per week by outcome"
    assert by_id[desc_id].tag == SVG + "desc"
    assert by_id[desc_id].text == (
        "6 intakes in 3 weeks from 27 October to 16 November 2025: 3 urgent, 1 needs info, "
        "2 routine. Most in the week of 3 November: 4."
    )


def test_it_stacks_bars_in_proportion_with_the_busiest_week_the_tallest():
    root = _parse(weekly_svg(WEEKLY, OUTCOME_CHOICES))
    weeks = _by_class(root, "fc-chart__week")
    assert [w.get("data-week") for w in weeks] == ["2025-10-27", "2025-11-03", "2025-11-10"]
    heights = [sum(float(bar.get("height")) for bar in w) for w in weeks]
    assert heights[1] == max(heights)
    assert heights[0] / heights[1] == pytest.approx(2 / 4, abs=0.01)
    assert heights[2] == 0
    busiest = list(weeks[1])
    # In the order given, the first at the bottom, each segment sitting on the one before.
    assert [b.get("class") for b in busiest] == [
        "fc-chart__bar fc-chart__bar--urgent",
        "fc-chart__bar fc-chart__bar--needs_info",
        "fc-chart__bar fc-chart__bar--routine",
    ]
    assert [float(b.get("height")) for b in busiest] == pytest.approx([80, 40, 40], abs=0.01)
    for lower, upper in pairwise(busiest):
        assert float(upper.get("y")) + float(upper.get("height")) == pytest.approx(
            float(lower.get("y")), abs=0.01
        )
    assert [b.find(SVG + "title").text for b in busiest] == [
        "Week of 3 Nov: 2 urgent",
        "Week of 3 Nov: 1 needs info",
        "Week of 3 Nov: 1 routine",
    ]
    assert [b.get("fill") for b in busiest] == [
        FILLS["urgent"],
        FILLS["needs_info"],
        FILLS["routine"],
    ]


def test_it_labels_the_axes_and_the_outcomes():
    root = _parse(weekly_svg(WEEKLY, OUTCOME_CHOICES))
    labels = [t.text for t in root.iter(SVG + "text")]
    assert labels[:2] == ["4", "0"]  # the y axis: its maximum and its base
    x_labels = [t.text for t in _by_class(root, "fc-chart__x-labels")[0]]
    assert x_labels == ["27 Oct", "3 Nov", "10 Nov"]
    legend = _by_class(root, "fc-chart__legend")[0]
    assert [t.text for t in legend.iter(SVG + "text")] == [label for _v, label in OUTCOME_CHOICES]
    swatches = [r.get("fill") for r in legend.iter(SVG + "rect")]
    assert swatches == ["url(#fc-weekly-chart-stripes)"] + [
        FILLS[value] for value, _label in OUTCOME_CHOICES[1:]
    ]


def test_it_stripes_screening_errors_apart_from_urgent_cases_of_the_same_red():
    weekly = [(date(2025, 11, 3), {"screening_error": 1, "urgent": 1})]
    root = _parse(weekly_svg(weekly, OUTCOME_CHOICES, chart_id="queue-chart"))
    error, urgent = _by_class(root, "fc-chart__bar")
    assert error.get("fill") == "url(#queue-chart-stripes)"
    assert urgent.get("fill") == FILLS["urgent"]
    pattern = root.find(f".//{SVG}pattern[@id='queue-chart-stripes']")
    assert pattern.find(SVG + "rect").get("fill") == FILLS["screening_error"]


def test_it_thins_week_labels_when_crowded_and_keeps_this_weeks():
    weekly = [(date(2025, 1, 6) + timedelta(weeks=i), {"routine": 1}) for i in range(52)]
    root = _parse(weekly_svg(weekly, OUTCOME_CHOICES))
    labels = [t.text for t in _by_class(root, "fc-chart__x-labels")[0]]
    assert 6 <= len(labels) < 52
    assert labels[-1] == "29 Dec"
    assert len(_by_class(root, "fc-chart__week")) == 52


def test_it_uses_the_badge_colours_of_the_stylesheet():
    css = (Path(django_settings.BASE_DIR) / "screening/static/screening/site.css").read_text()
    badges = {}
    for selectors, colour in re.findall(r"((?:\.fc-badge--\w+,?\s*)+)\{\s*color:\s*(#\w+)", css):
        for outcome in re.findall(r"\.fc-badge--(\w+)", selectors):
            badges[outcome] = colour.lower()
    assert badges == FILLS


def test_it_has_no_inline_style_and_no_script():
    svg = str(weekly_svg(WEEKLY, OUTCOME_CHOICES))
    root = _parse(svg)
    assert "style" not in svg.lower()
    assert "script" not in svg.lower()
    assert all("style" not in el.attrib and not el.tag.endswith("script") for el in root.iter())


def test_it_escapes_every_text():
    outcomes = [("urgent", "<b>Urgent</b> & co"), ("routine", 'Routine"><script>')]
    svg = str(weekly_svg(WEEKLY, outcomes, chart_id='x" onload="alert(1)'))
    assert "<b>" not in svg and "<script>" not in svg and 'onload="' not in svg
    assert "&lt;b&gt;Urgent&lt;/b&gt; &amp; co" in svg
    root = _parse(svg)
    assert root.find(f".//{SVG}b") is None and root.find(f".//{SVG}script") is None
    legend = _by_class(root, "fc-chart__legend")[0]
    assert [t.text for t in legend.iter(SVG + "text")] == [label for _v, label in outcomes]
    tooltips = [t.text for t in root.iter(SVG + "title")]
    assert "Week of 3 Nov: 2 <b>urgent</b> & co" in tooltips


@pytest.mark.parametrize(
    ("weekly", "summary"),
    [
        (
            [(date(2025, 11, 3), {}), (date(2025, 11, 10), {"urgent": 0})],
            "No intakes in 2 weeks from 3 November to 16 November 2025.",
        ),
        ([], "No intakes."),
    ],
)
def test_it_says_so_when_there_is_nothing_to_draw(weekly, summary):
    root = _parse(weekly_svg(weekly, OUTCOME_CHOICES))
    assert root.find(SVG + "desc").text == summary
    assert _by_class(root, "fc-chart__bar") == []
    assert _by_class(root, "fc-chart__empty")[0].text == "No intakes in these weeks"
    assert [t.text for t in _by_class(root, "fc-chart__axis")[0]] == [None, None, "0"]
