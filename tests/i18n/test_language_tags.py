"""Language tags as browsers send them, matched to the languages offered (no Flask needed)."""
import pytest

from backpack.i18n.tags import best_match, language_tag, match, starts_right_to_left

OFFERED = ["en", "es", "zh_Hans", "vi", "ar", "ht"]


@pytest.mark.parametrize(
    ("code", "tag"), [("zh_Hans", "zh-Hans"), ("en", "en"), ("ar", "ar"), ("ht", "ht"), ("vi", "vi")]
)
def test_catalogue_codes_are_written_as_bcp47(code, tag):
    assert language_tag(code) == tag


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-SG", "zh_Hans"),
        ("zh-Hans", "zh_Hans"),
        ("zh-Hans-CN", "zh_Hans"),
        ("zh-hans-sg", "zh_Hans"),
        ("zh_Hans", "zh_Hans"),
        ("vi-VN", "vi"),
        ("ht-HT", "ht"),
        ("ar-EG", "ar"),
        ("ar-SA", "ar"),
        ("AR", "ar"),
        ("es-419", "es"),
        ("es-MX", "es"),
        ("en-GB", "en"),
        (" vi ", "vi"),
    ],
)
def test_a_browser_tag_names_the_offered_language(tag, expected):
    assert match(tag, OFFERED) == expected


@pytest.mark.parametrize("tag", ["zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-TW", "zh-Hant-CN"])
def test_traditional_chinese_is_not_simplified(tag):
    assert match(tag, OFFERED) is None


@pytest.mark.parametrize(
    "value",
    [None, "", "xx", "fr-FR", "*", "en;q=1", "<script>", "ar/../en", "a", "zh--CN", "-ar", "ar-", "x" * 100, 42, "ar\x00"],
)
def test_unknown_or_malformed_values_match_nothing(value):
    assert match(value, OFFERED) is None


def test_the_browsers_list_is_read_best_first_skipping_what_is_not_offered():
    assert best_match([("fr-FR", 1.0), ("zh-TW", 0.9), ("ar-MA", 0.8), ("en", 0.7)], OFFERED) == "ar"
    assert best_match([("zh-TW", 1.0), ("zh", 0.5)], OFFERED) == "zh_Hans"
    assert best_match([("vi", 0.0), ("es", 0.4)], OFFERED) == "es"  # q=0 means "not this one"
    assert best_match([("fr", 1.0), ("de", 0.5)], OFFERED) is None
    assert best_match([], OFFERED) is None


@pytest.mark.parametrize(
    "text, rtl",
    [("لحام آمن", True), ("Safe welding", False), ("123 שלום", True), ("2024 — B1", False), ("", False), ("Level 2: לחם", False)],
)
def test_the_direction_a_text_starts_in_is_that_of_its_first_strong_letter(text, rtl):
    assert starts_right_to_left(text) is rtl
