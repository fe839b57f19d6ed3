"""Group news items that report the same story.

Two items are the same story when their canonical URLs are equal, or when their headlines are
near-identical (character-bigram Jaccard similarity of :func:`title_key` at least
:data:`TITLE_SIMILARITY`, or one whole inside the other) and they were published within a few
days of each other. Regional
outlets often carry one wire or press-release story with only the spacing, quotes or one word
changed, which this catches. Its limit: two different stories with formulaic headlines that
differ only in a name ("경주시의회, … 결의안 채택" / "포항시의회, … 결의안 채택") can be merged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker.domain.article import Article
from tracker.domain.keywords import normalize

TITLE_SIMILARITY = 0.75
# A headline at least this long (normalised) found whole inside another is the same headline
# shortened, as outlets do for their feeds.
MIN_CONTAINED_LEN = 15

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "oc",
        "from",
        "ref",
        "ref_src",
        "share",
        "sns",
        "cmpid",
    }
)
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Tags outlets put around the same headline: [속보], [단독], (종합), (2보), [포토] …
_TITLE_TAGS = re.compile(r"^\s*[\[【<〈(][^\]】>〉)]{1,8}[\]】>〉)]\s*|\s*\((?:종합\d*|\d+보)\)")


def canonical_url(url: str) -> str:
    """``url`` reduced to a stable form for deduplication.

    Lower-cases the scheme and host and drops the default port, the fragment, tracking
    parameters (``utm_*``, ``fbclid``, ``gclid``, Google's ``oc``, …) and a trailing slash;
    sorts the remaining query parameters. The host keeps its ``www.``: the result is stored as
    the article's link, and ``example.kr`` is not guaranteed to serve what ``www.example.kr``
    does. A string that is not a URL comes back stripped of surrounding spaces.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        return url
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.username or parts.password:
        # Credentials in a news link are unusual; keep them rather than change the target.
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc += f":{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def title_key(title: str) -> str:
    """The headline folded for comparison: tags such as [속보] or (종합) removed, normalised."""
    previous = None
    while title != previous:
        previous = title
        title = _TITLE_TAGS.sub("", title, count=1)
    return normalize(title)


def _bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def title_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two headlines' :func:`title_key`."""
    grams_a, grams_b = _bigrams(title_key(a)), _bigrams(title_key(b))
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def near_identical_titles(a: str, b: str) -> bool:
    """Whether two headlines are the same headline, lightly edited or shortened."""
    key_a, key_b = title_key(a), title_key(b)
    shorter, longer = sorted((key_a, key_b), key=len)
    if len(shorter) >= MIN_CONTAINED_LEN and shorter in longer:
        return True
    return title_similarity(a, b) >= TITLE_SIMILARITY


def item_url(item: Article) -> str:
    """The canonical form of the item's best link: the publisher's own when known."""
    return canonical_url(item.original_url or item.url)


def _item_urls(item: Article) -> set[str]:
    return {canonical_url(u) for u in (item.url, item.original_url) if u}


def same_story(a: Article, b: Article, window_days: float = 3) -> bool:
    """Whether two items report the same story.

    Same canonical URL always; otherwise near-identical headlines, and published within
    ``window_days`` of each other when both dates are known.
    """
    if _item_urls(a) & _item_urls(b):
        return True
    if (
        a.published_at is not None
        and b.published_at is not None
        and abs(a.published_at - b.published_at) > timedelta(days=window_days)
    ):
        return False
    return near_identical_titles(a.title, b.title)


@dataclass
class Story:
    """One story: the article to keep and every item that carried it."""

    article: Article
    items: list[Article] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The canonical URL of the story's article."""
        return item_url(self.article)

    @property
    def sources(self) -> list[str]:
        """Distinct outlet names that carried the story, the article's first."""
        seen: list[str] = []
        for item in self.items:
            if item.source and item.source not in seen:
                seen.append(item.source)
        return seen

    @property
    def feeds(self) -> list[str]:
        """Distinct feed kinds the story came from, in the order seen."""
        return list(dict.fromkeys(item.feed for item in self.items if item.feed))


_NO_DATE = datetime.max.replace(tzinfo=UTC)


def _order(indexed: tuple[int, Article]) -> tuple[bool, datetime, bool, int]:
    index, item = indexed
    # Among equally early items prefer one with the publisher's own link over a redirect.
    return (
        item.published_at is None,
        item.published_at or _NO_DATE,
        item.original_url is None,
        index,
    )


def split_known(
    items: Iterable[Article], known: Iterable[Article], window_days: float = 3
) -> tuple[list[Article], dict[str, list[str]]]:
    """The items that repeat no story in ``known`` (already stored), in their order; and the
    outlets of those that do, by the stored article's URL, earliest item's first."""
    known_items = list(known)
    fresh: list[tuple[int, Article]] = []
    outlets: dict[str, list[str]] = {}
    for index, item in sorted(enumerate(items), key=_order):
        old = next((k for k in known_items if same_story(item, k, window_days)), None)
        if old is None:
            fresh.append((index, item))
        elif item.source:
            seen = outlets.setdefault(old.url, [])
            if item.source not in seen:
                seen.append(item.source)
    return [item for _, item in sorted(fresh, key=lambda pair: pair[0])], outlets


def dedupe(
    items: Iterable[Article], known: Iterable[Article] = (), window_days: float = 3
) -> list[Story]:
    """Group ``items`` into stories, earliest article first within each story.

    Items that are the same story as one in ``known`` (already stored) are left out, so the
    result holds only new stories. Stories come out in the order of their articles.
    """
    fresh, _ = split_known(items, known, window_days)
    stories: list[Story] = []
    for _, item in sorted(enumerate(fresh), key=_order):
        for story in stories:
            if any(same_story(item, member, window_days) for member in story.items):
                story.items.append(item)
                break
        else:
            stories.append(Story(article=item, items=[item]))
    return stories


def new_stories(
    items: Iterable[Article], known: Iterable[Article], window_days: float = 3
) -> tuple[list[Story], dict[str, list[str]]]:
    """The stories among ``items`` that repeat none in ``known`` (stored in earlier cycles),
    and the outlets that carried a known one since, by its stored URL."""
    fresh, outlets = split_known(items, known, window_days)
    return dedupe(fresh, window_days=window_days), outlets
