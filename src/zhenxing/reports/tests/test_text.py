"""Cleaning a report: OpenCC's traditional → simplified, the pinyin annotations (and only they)
removed, punctuation normalised; on the seeds that arrive in traditional characters with pinyin
(000, 002, 003), counted."""

from __future__ import annotations

import re

import pytest

from zhenxing.reports.tests.seeds import seed_text
from zhenxing.reports.text import ANNOTATION, clean, normalise_punctuation, remove_annotations

PARENS = re.compile(r"[(（]")
TONED = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")


def test_an_annotated_phrase_comes_out_simplified_without_pinyin():
    cleaned = clean("黨建引領(lǐng)鄉(xiāng)村振興")
    assert cleaned.text == "党建引领乡村振兴"
    assert cleaned.annotations_removed == 2


def test_only_a_syllable_right_after_a_han_character_is_an_annotation():
    text, n = remove_annotations(
        "村(社區(qū))、農(副)產品、黨(村民)小組長、行(xing2)、A(lǐng)、說(明)"
    )
    assert n == 2
    assert text == "村(社區)、農(副)產品、黨(村民)小組長、行、A(lǐng)、說(明)"


def test_punctuation_next_to_chinese_becomes_full_width_and_digits_half_width():
    assert normalise_punctuation("全镇576名党员,分包5355户;占比(约)９６．７％") == (
        "全镇576名党员，分包5355户；占比（约）96.7%"
    )
    assert normalise_punctuation("共1,200人:其中A(B)组") == "共1,200人：其中A(B)组"


@pytest.mark.parametrize(("number", "annotations"), [("000", 298), ("002", 85), ("003", 238)])
def test_the_traditional_seeds_come_out_simplified_with_every_annotation_counted(
    number, annotations
):
    original = seed_text(number)
    cleaned = clean(original)

    assert cleaned.annotations_removed == annotations
    assert cleaned.converted > 500
    assert clean(cleaned.text).text == cleaned.text  # nothing left to convert or remove
    assert not ANNOTATION.search(cleaned.text)
    # No real parenthesis lost: every opening one that was not an annotation is still there.
    assert len(PARENS.findall(cleaned.text)) == len(PARENS.findall(original)) - annotations
    for word in ("党建", "乡村振兴"):
        assert word in cleaned.text
    for word in ("黨", "鄉", "振興"):
        assert word not in cleaned.text
    # What is left of toned pinyin in parentheses stands after no Han character: seed 000 has one
    # such place, where the copy mangled a character into “?P” before its annotation.
    leftovers = TONED.findall(cleaned.text)
    assert leftovers == (["(yáng)"] if number == "000" else [])


def test_the_simplified_seeds_are_left_as_they_were_but_for_punctuation():
    for number in ("001", "004"):
        cleaned = clean(seed_text(number))
        assert cleaned.annotations_removed == 0
        assert "576名党员" in cleaned.text or "1260名党员" in cleaned.text
