"""ODI, STarT Back, BMI and NRS bands, as clinical.md section 4 defines them."""

from datetime import date

import pytest

from screening.intake import scoring

ODI_KEYS = [f"s{n}" for n in range(10)]


def _odi(*scores):
    return scoring.odi(dict(zip(ODI_KEYS, scores, strict=True)))


class TestOdi:
    def test_it_scores_all_ten_sections_as_a_percentage(self):
        result = _odi(3, 1, 3, 2, 2, 3, 2, 1, 2, 2)
        assert result.percent == 42  # 21 / 50
        assert result.band == "severe"
        assert result.answered == 10
        assert result.version == scoring.ODI_VERSION

    def test_it_divides_by_the_sections_answered_when_some_are_missing(self):
        result = _odi(5, 5, 5, 5, 5, 5, 5, 5, None, None)
        assert result.percent == 100
        assert result.answered == 8
        assert result.band == "bed_bound"

    def test_it_scores_nine_sections_over_forty_five(self):
        assert _odi(2, 2, 2, 2, 2, 2, 2, 2, 2, None).percent == 40

    def test_it_does_not_score_fewer_than_eight_sections(self):
        result = _odi(1, 1, 1, 1, 1, 1, 1, None, None, None)
        assert result.percent is None
        assert result.band == "not_scored"
        assert result.answered == 7

    @pytest.mark.parametrize(
        ("percent", "band"),
        [
            (0, "minimal"),
            (20, "minimal"),
            (21, "moderate"),
            (40, "moderate"),
            (41, "severe"),
            (60, "severe"),
            (61, "crippling"),
            (80, "crippling"),
            (81, "bed_bound"),
            (100, "bed_bound"),
        ],
    )
    def test_it_bands_percentages(self, percent, band):
        assert scoring.odi_band(percent) == band

    def test_it_refuses_a_section_score_outside_0_to_5(self):
        with pytest.raises(ValueError):
            _odi(6, 1, 1, 1, 1, 1, 1, 1, 1, 1)


class TestStartBack:
    def test_it_is_low_risk_at_three_or_less(self):
        result = scoring.startback([1, 1, 1, 0, 0, 0, 0, 0, 0])
        assert (result.total, result.risk) == (3, "low")

    def test_it_is_medium_risk_with_four_or_more_and_psychosocial_three_or_less(self):
        result = scoring.startback([1, 1, 1, 1, 1, 1, 1, 0, 0])
        assert (result.total, result.psychosocial, result.risk) == (7, 3, "medium")

    def test_it_is_high_risk_with_psychosocial_four_or_more(self):
        result = scoring.startback([0, 0, 0, 0, 1, 1, 1, 1, 0])
        assert (result.total, result.psychosocial, result.risk) == (4, 4, "high")

    def test_it_is_not_scored_with_an_item_missing(self):
        assert scoring.startback([1, 1, 1, 1, 1, 1, 1, 1, None]).risk == "not_scored"

    @pytest.mark.parametrize(("index", "score"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
    def test_it_scores_bothersomeness_very_much_and_extremely_as_one(self, index, score):
        assert scoring.startback_bother_score(index) == score

    def test_it_refuses_a_wrong_number_of_items(self):
        with pytest.raises(ValueError):
            scoring.startback([0] * 8)


class TestBmi:
    def test_it_computes_bmi_to_one_decimal(self):
        result = scoring.bmi(168, 72.5)
        assert result.value == 25.7
        assert result.band == "overweight"

    @pytest.mark.parametrize(
        ("height", "weight", "band"),
        [
            (180, 55, "underweight"),
            (180, 70, "healthy"),
            (170, 80, "overweight"),
            (165, 90, "obese"),
            (160, 110, "severely_obese"),
        ],
    )
    def test_it_bands_bmi(self, height, weight, band):
        assert scoring.bmi(height, weight).band == band

    def test_bmi_over_40_is_severely_obese(self):
        assert scoring.bmi(170, 116).value == 40.1

    def test_it_converts_imperial_units(self):
        assert scoring.feet_inches_to_cm(5, 10) == 177.8
        assert scoring.pounds_to_kg(176) == 79.8


class TestNrs:
    @pytest.mark.parametrize(
        ("score", "band"),
        [
            (0, "none"),
            (1, "mild"),
            (4, "mild"),
            (5, "moderate"),
            (6, "moderate"),
            (7, "severe"),
            (10, "severe"),
        ],
    )
    def test_it_bands_pain_scores(self, score, band):
        assert scoring.nrs_band(score) == band

    def test_it_refuses_scores_outside_0_to_10(self):
        with pytest.raises(ValueError):
            scoring.nrs_band(11)


def test_age_counts_whole_years_to_the_birthday():
    assert scoring.age_on(date(1971, 7, 14), date(2026, 7, 13)) == 54
    assert scoring.age_on(date(1971, 7, 14), date(2026, 7, 14)) == 55
