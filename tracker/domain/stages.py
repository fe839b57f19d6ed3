"""The stage model: stage codes, their Korean labels and order, and the mapping from the
Assembly's step and result names to codes."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    rank: int
    final: bool


STAGES: tuple[Stage, ...] = (
    Stage("received", "접수", 1, False),
    Stage("committee_review", "소관위 심사", 2, False),
    Stage("judiciary_review", "법사위 체계자구심사", 3, False),
    Stage("plenary", "본회의 심의", 4, False),
    Stage("passed", "본회의 의결", 5, False),
    Stage("sent_to_government", "정부이송", 6, False),
    Stage("promulgated", "공포", 7, True),
    Stage("withdrawn", "철회", 8, True),
    Stage("rejected", "부결", 8, True),
    Stage("replaced_by_alternative", "대안반영폐기", 8, True),
    Stage("discarded", "폐기", 8, True),
)
BY_CODE: dict[str, Stage] = {s.code: s for s in STAGES}
FINAL_CODES: frozenset[str] = frozenset(s.code for s in STAGES if s.final)
PROGRESS_CODES: tuple[str, ...] = tuple(s.code for s in STAGES if s.rank <= 7)

# Result texts that end a bill without it becoming law.
_ENDING_RESULTS: dict[str, str] = {
    "철회": "withdrawn",
    "부결": "rejected",
    "대안반영폐기": "replaced_by_alternative",
    "수정안반영폐기": "replaced_by_alternative",
    "폐기": "discarded",
    "임기만료폐기": "discarded",
    "불성립": "discarded",
    "본회의불부의": "discarded",
}
PASSING_RESULTS: frozenset[str] = frozenset({"원안가결", "수정가결"})

# Step names as the Assembly's pages and APIs write them, spacing removed.
_STEP_NAMES: dict[str, str] = {
    "접수": "received",
    "제안": "received",
    "발의": "received",
    "소관위회부": "committee_review",
    "소관위원회회부": "committee_review",
    "소관위상정": "committee_review",
    "소관위처리": "committee_review",
    "소관위심사": "committee_review",
    "위원회심사": "committee_review",
    "위원회회부": "committee_review",
    "체계자구심사": "judiciary_review",
    "법사위회부": "judiciary_review",
    "법사위상정": "judiciary_review",
    "법사위처리": "judiciary_review",
    "법사위체계자구심사": "judiciary_review",
    "체계자구심사회부": "judiciary_review",
    "체계자구심사상정": "judiciary_review",
    "체계자구심사처리": "judiciary_review",
    "본회의부의": "plenary",
    "본회의상정": "plenary",
    "본회의심의": "plenary",
    "본회의의결": "passed",
    "본회의처리": "passed",
    "정부이송": "sent_to_government",
    "공포": "promulgated",
}


def label(code: str) -> str:
    """The Korean label of a stage code."""
    return BY_CODE[code].label


def shown(code: str | None) -> str:
    """The Korean label of a stage code; a code tracker does not know as it is, and
    "알 수 없음" when there is none."""
    return label(code) if code in BY_CODE else (code or "알 수 없음")


def rank(code: str) -> int:
    return BY_CODE[code].rank


def is_final(code: str | None) -> bool:
    return code in FINAL_CODES


def squash(text: str) -> str:
    """The text with all whitespace removed, as the name tables are keyed."""
    return re.sub(r"\s+", "", text)


def stage_for_result(result: str | None) -> str | None:
    """The ending stage a result text implies (``철회`` → ``withdrawn``), or None."""
    if not result:
        return None
    return _ENDING_RESULTS.get(squash(result))


def stage_for_step(name: str) -> str | None:
    """The stage code of a step name as the Assembly writes it, or None when unknown."""
    squashed = squash(name)
    if squashed in _STEP_NAMES:
        return _STEP_NAMES[squashed]
    return stage_for_result(squashed)


def next_stage(code: str | None) -> str | None:
    """The progress stage that follows ``code`` for a bill still under way, else None."""
    if code not in PROGRESS_CODES or is_final(code):
        return None
    return PROGRESS_CODES[PROGRESS_CODES.index(code) + 1]


def later(a: str | None, b: str | None) -> str | None:
    """Of two stage codes, the one further along (final stages win over progress stages)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if rank(a) >= rank(b) else b
