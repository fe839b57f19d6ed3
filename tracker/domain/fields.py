"""The bill fields as people read them: Korean names, and which ones only tracker cares about."""

from __future__ import annotations

FIELD_LABELS = {
    "stage": "단계",
    "result": "처리결과",
    "title": "의안명",
    "proposer": "제안자",
    "committee": "소관위원회",
    "bill_no": "의안번호",
    "proposed_on": "제안일",
}
# Fields that say nothing to a reader as a change: the term, the link (every message and card
# links the bill anyway) and the long 제안이유 text. Named only where a bill's whole history
# is shown (``tracker status``).
INTERNAL_LABELS = {
    "age": "대수",
    "detail_url": "의안 페이지",
    "summary": "제안이유 및 주요내용",
}
INTERNAL_FIELDS = frozenset(INTERNAL_LABELS)


def field_label(name: str) -> str:
    """The Korean name of a bill field (the field's own name when it has none)."""
    return FIELD_LABELS.get(name) or INTERNAL_LABELS.get(name, name)
