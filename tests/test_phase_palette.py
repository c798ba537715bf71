"""The phases' colours carry their marks and labels (map legend, popups, badges) in a text
colour readable on them: at least 4.5:1 (WCAG 2.1 AA), the ratio computed as WCAG defines it."""

import pytest

from maps.palette import PHASE_STYLES, contrast_ratio


@pytest.mark.parametrize("style", PHASE_STYLES.values(), ids=lambda style: style.phase.value)
def test_text_on_each_phase_colour_reaches_4_5_to_1(style):
    assert contrast_ratio(style.colour, style.text_colour) >= 4.5


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#D55E00", "#ffffff", 3.87),  # stage ⑥ with white digits, as the legend had it
        ("#009E73", "#ffffff", 3.42),  # stage ⑦ likewise
    ],
)
def test_contrast_ratio_is_the_wcag_one(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(ratio, abs=0.01)
