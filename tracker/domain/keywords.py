"""Korean-aware keyword matching and the relevance rule for news.

Korean headlines write the same name with and without spaces (해오름산업벨트, 해오름 산업벨트,
해오름산업 벨트), in full-width forms and between assorted quotes, so every comparison is made on
:func:`normalize`-d text. ``해오름`` on its own also names festivals, apartments, streets and
shops, so :class:`RelevanceRule` accepts it only next to a companion term.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_ANCHORS: tuple[str, ...] = ("해오름", "haeoreum")
DEFAULT_COMPANIONS: tuple[str, ...] = (
    "특별법",
    "산업벨트",
    "동맹",
    "광역추진단",
    "상생협의회",
    "초광역",
    "산업수도",
    "광역교통망",
    "alliance",
    "specialact",
    "industrialbelt",
)
DEFAULT_KEYWORDS: tuple[str, ...] = ("해오름산업벨트", "해오름동맹", "해오름특별법")

# A single-word keyword this short is too ambiguous to count on its own (e.g. "해오름").
_MIN_SPECIFIC_LEN = 4


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def normalize(text: str) -> str:
    """``text`` folded for comparison: NFKC, case-folded, only letters, digits and marks.

    Full-width forms become half-width, Latin is lower-cased, and whitespace, punctuation and
    symbols are dropped, so "해오름 산업벨트", "해오름　산업벨트" and "ＨＡＥＯＲＥＵＭ"
    compare equal to their plain forms.
    """
    previous = None
    # Dropping characters can bring together pieces that compose (Hangul jamo separated by
    # punctuation) and case folding can yield non-NFKC text, so repeat to a fixed point.
    while text != previous:
        previous = text
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        text = "".join(ch for ch in folded if _keep(ch))
    return text


def matches(keyword: str, text: str) -> bool:
    """Whether ``keyword`` occurs in ``text`` ignoring spacing, width, case and punctuation."""
    needle = normalize(keyword)
    return bool(needle) and needle in normalize(text)


def _normalized_unique(terms: Iterable[str]) -> list[str]:
    out: list[str] = []
    for term in terms:
        norm = normalize(term)
        if norm and norm not in out:
            out.append(norm)
    return out


@dataclass
class RelevanceRule:
    """Decides whether a news item is about the watched act.

    An item is relevant when its title or summary contains one of ``keywords`` (specific
    enough on their own), or one of ``anchors`` together with one of ``companions``. Terms are
    compared after :func:`normalize`.
    """

    anchors: list[str] = field(default_factory=lambda: list(DEFAULT_ANCHORS))
    companions: list[str] = field(default_factory=lambda: list(DEFAULT_COMPANIONS))
    keywords: list[str] = field(default_factory=lambda: list(DEFAULT_KEYWORDS))

    def __post_init__(self) -> None:
        self._anchors = _normalized_unique(self.anchors)
        self._companions = _normalized_unique(self.companions)
        self._keywords = _normalized_unique(self.keywords)

    @classmethod
    def from_keywords(
        cls, keywords: Iterable[str], companions: Iterable[str] = DEFAULT_COMPANIONS
    ) -> RelevanceRule:
        """A rule built from the config's watch keywords.

        A multi-word keyword ("해오름 산업벨트") is specific on its own; its first word also
        becomes an anchor and the other words companions, so looser phrasings still match. A
        single word of at least four letters ("해오름동맹") is specific; a shorter one
        ("해오름") is only an anchor.
        """
        anchors: list[str] = []
        extra: list[str] = []
        specific: list[str] = []
        for keyword in keywords:
            words = [w for w in (normalize(part) for part in keyword.split()) if w]
            if not words:
                continue
            if len(words) > 1:
                specific.append(keyword)
                anchors.append(words[0])
                extra.extend(words[1:])
            elif len(words[0]) >= _MIN_SPECIFIC_LEN:
                specific.append(keyword)
            else:
                anchors.append(words[0])
        return cls(anchors=anchors, companions=[*companions, *extra], keywords=specific)

    def matched_keywords(self, title: str, summary: str = "") -> list[str]:
        """The terms that make the item relevant: keywords, then ``anchor+companion`` pairs."""
        text = normalize(title) + "\n" + normalize(summary)
        found = [k for k in self._keywords if k in text]
        for anchor in self._anchors:
            if anchor not in text:
                continue
            found.extend(
                f"{anchor}+{companion}"
                for companion in self._companions
                if companion in text and companion != anchor
            )
        return found

    def is_relevant(self, title: str, summary: str = "") -> bool:
        """Whether the item with this title and summary is about the watched act."""
        return bool(self.matched_keywords(title, summary))


DEFAULT_RULE = RelevanceRule()
