"""Keyword normalisation and the Haeoreum relevance rule."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import get_testbytes
from tracker.domain.keywords import DEFAULT_RULE, RelevanceRule, matches, normalize

SPELLINGS = [
    "해오름 산업벨트",
    "해오름산업벨트",
    "해오름 산업 벨트",
    "해오름산업 벨트",
    "해오름　산업벨트",
    "'해오름 산업벨트'",
    "＂해오름·산업벨트＂",
    "해오름\t산업\n벨트",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_spacing_width_and_punctuation_variants_normalise_alike(spelling: str) -> None:
    assert normalize(spelling) == "해오름산업벨트"


@pytest.mark.parametrize(
    "text", ["ＨＡＥＯＲＥＵＭ", "Haeoreum", "HAEOREUM", "haeo-reum", "Ｈａｅｏｒｅｕｍ"]
)
def test_full_width_and_case_variants_of_latin_normalise_alike(text: str) -> None:
    assert normalize(text) == "haeoreum"


def test_normalize_keeps_digits_and_makes_full_width_digits_ascii() -> None:
    assert normalize("２차 공청회, 2024년!") == "2차공청회2024년"


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("해오름 산업벨트", "울산·포항·경주 '해오름산업벨트 특별법' 국회 발의", True),
        ("해오름산업벨트", "해오름산업 벨트 특별법, 행안위 상정 언제쯤", True),
        ("해오름동맹", "해오름 동맹 도시 공무원 인사교류 확대", True),
        ("해오름동맹", "해오름 동산 해맞이객 셔틀버스", False),
        ("", "아무 글", False),
        ("  ", "아무 글", False),
    ],
)
def test_matches_is_a_spacing_insensitive_substring_test(
    keyword: str, text: str, expected: bool
) -> None:
    assert matches(keyword, text) is expected


@pytest.mark.parametrize(
    "title",
    [
        "2025 해오름 해맞이 축제 간절곶서 개최",
        "'해오름 리버뷰' 아파트 잔여세대 선착순 분양",
        "울주군 해오름 테마거리 야간경관 조명 새단장",
        "해오름 식당, 울산 남구 '착한가격업소' 선정",
        "포항 해오름로 일대 도로 확장 공사 착수",
        "울산 석유화학 산업 위기…구조조정 지원 특별법 발의",
    ],
)
def test_unrelated_uses_of_haeoreum_and_other_special_acts_are_not_relevant(title: str) -> None:
    assert not DEFAULT_RULE.is_relevant(title)


@pytest.mark.parametrize(
    "title",
    [
        "해오름　산업벨트 특별법 입법 속도 내야",
        "해오름동맹광역추진단 경주서 출범",
        '해오름 3개 도시 "산업벨트 특별법 제정" 공동 기자회견',
        '국민의힘 울산시당 "해오름 특별법 당론 채택해야"',
    ],
)
def test_the_act_and_the_alliance_are_relevant(title: str) -> None:
    assert DEFAULT_RULE.is_relevant(title)


def test_summary_counts_when_the_title_alone_is_not_enough() -> None:
    title = '박성민 의원 "세 도시를 국가 성장엔진으로"'
    summary = "박성민 의원은 해오름산업벨트 특별법 발의 배경을 설명했다."
    assert not DEFAULT_RULE.is_relevant(title)
    assert DEFAULT_RULE.is_relevant(title, summary)


def test_matched_keywords_names_keywords_then_anchor_companion_pairs() -> None:
    found = DEFAULT_RULE.matched_keywords('해오름동맹 "해오름 산업벨트 특별법 연내 제정해야"')
    assert found == [
        "해오름산업벨트",
        "해오름동맹",
        "해오름+특별법",
        "해오름+산업벨트",
        "해오름+동맹",
    ]
    assert DEFAULT_RULE.matched_keywords("해오름 해맞이 축제") == []


def test_rule_from_config_keywords_splits_anchor_and_companions() -> None:
    rule = RelevanceRule.from_keywords(["해오름 산업벨트", "해오름동맹", "해오름"])
    assert rule.anchors == ["해오름", "해오름"]
    assert rule.keywords == ["해오름 산업벨트", "해오름동맹"]
    assert "산업벨트" in rule.companions and "특별법" in rule.companions
    assert rule.is_relevant("해오름동맹 청년 일자리 박람회")
    assert rule.is_relevant("해오름 특별법 행안위 상정")
    assert not rule.is_relevant("해오름 해맞이 축제")
    assert rule.matched_keywords("해오름 산업 벨트 특별법") == [
        "해오름산업벨트",
        "해오름+특별법",
        "해오름+산업벨트",
    ]


def test_rule_from_other_keywords_uses_them_without_haeoreum_defaults() -> None:
    rule = RelevanceRule.from_keywords(["동해선 광역철도"], companions=["특별법"])
    assert rule.is_relevant("동해선광역철도 개통 지연")
    assert rule.is_relevant("동해선 연장 특별법 발의")
    assert not rule.is_relevant("해오름산업벨트 특별법 발의")


def _labelled() -> list[tuple[bool, str]]:
    text = get_testbytes("news/headlines_labelled.tsv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    return [(row["label"] == "1", row["headline"]) for row in rows]


def test_labelled_headline_set_is_large_and_mixed() -> None:
    rows = _labelled()
    assert len(rows) >= 80
    assert 0.3 < sum(label for label, _ in rows) / len(rows) < 0.7


def test_default_rule_precision_and_recall_on_labelled_headlines() -> None:
    tp = fp = fn = 0
    for label, headline in _labelled():
        predicted = DEFAULT_RULE.is_relevant(headline)
        tp += predicted and label
        fp += predicted and not label
        fn += label and not predicted
    p = tp / (tp + fp)
    r = tp / (tp + fn)
    print(f"precision={p:.3f} recall={r:.3f}")
    assert p >= 0.95
    assert r >= 0.95


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.lists(st.text(alphabet="해오름산업벨트특별법동맹abcXYZ019", min_size=1), min_size=1))
def test_normalize_ignores_whitespace_and_punctuation_between_words(words: list[str]) -> None:
    joined = "".join(words)
    for separator in (" ", "　", "\t", "·", "'", "…", " - "):
        assert normalize(separator.join(words)) == normalize(joined)


@given(st.text(), st.text())
def test_matches_ignores_spaces_inserted_into_the_text(keyword: str, text: str) -> None:
    spaced = " ".join(text)
    assert matches(keyword, spaced) == matches(keyword, text)
