"""News articles: one row per story, linked to the bill it names."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tracker.domain import alerts
from tracker.domain.article import Article
from tracker.domain.relevance import NewsHit, bill_for
from tracker.domain.stories import Story, new_stories
from tracker.domain.validators import Validators
from tracker.store.base import Repository
from tracker.store.sql import in_chunks

# How far apart two outlets' reports of one story can be published.
NEWS_WINDOW_DAYS = 3


def _not_before(when: str | None, since: str) -> bool:
    return when is None or datetime.fromisoformat(when) >= datetime.fromisoformat(since)


class News(Repository):
    """The ``news_articles`` table."""

    def add(
        self,
        hits: list[NewsHit],
        feeds: Sequence[Validators],
        run_id: int | None,
        alert: bool = True,
        window_days: float = NEWS_WINDOW_DAYS,
        alert_since: str | None = None,
        more_url: str | None = None,
    ) -> list[NewsHit]:
        """Store the new stories among ``hits`` and the feeds' validators in one transaction.

        Hits are grouped into stories (:func:`~tracker.domain.stories.new_stories`); a story
        already stored (same canonical URL, or a near-identical headline within
        ``window_days``) is left out. Each new story is one ``news_articles`` row: its earliest
        article, the other outlets in ``other_sources``, the bill it names in ``bill_id``. With
        ``alert``, one ``news`` alert lists the run's new articles published since
        ``alert_since`` (older ones are not news: stored only); beyond its first articles it
        links to ``more_url``. Returns the hit stored for each new story.
        """
        with self.store.transaction():
            at = self.store.now()
            by_item = {id(hit.item): hit for hit in hits}
            items = [hit.item for hit in hits]
            dates = [i.published_at for i in items if i.published_at is not None]
            stories, outlets = new_stories(items, self._near(dates, window_days), window_days)
            self._add_other_sources(outlets)
            bills = self._bills()
            stored: list[NewsHit] = []
            rows: list[dict[str, Any]] = []
            for story in stories:
                matched = {k: 1 for i in story.items for k in by_item[id(i)].matched_keywords}
                row = self._row(story, list(matched), bills, run_id, at)
                cursor = self.conn.execute(
                    f"INSERT OR IGNORE INTO news_articles ({', '.join(row)})"
                    f" VALUES ({', '.join('?' for _ in row)})",
                    list(row.values()),
                )
                if cursor.rowcount == 1:
                    stored.append(by_item[id(story.article)])
                    rows.append(row)
            self.store.validators.save_feeds(feeds, at)
            if alert_since:
                rows = [r for r in rows if _not_before(r["published_at"], alert_since)]
            if alert and rows:
                articles = [{**r, "other_sources": json.loads(r["other_sources"])} for r in rows]
                self.store.outbox.enqueue(
                    alerts.news_key(run_id, at),
                    "news",
                    alerts.news_payload(articles, more_url),
                    None,
                    at,
                )
        return stored

    def _row(
        self,
        story: Story,
        matched: list[str],
        bills: list[dict[str, Any]],
        run_id: int | None,
        at: str,
    ) -> dict[str, Any]:
        article = story.article
        published = article.published_at
        return {
            "url": story.url,
            "title": article.title,
            "source": article.source,
            "published_at": self.store.iso(published) if published else None,
            "summary": article.summary or None,
            "matched_keywords": json.dumps(matched, ensure_ascii=False),
            "bill_id": bill_for(article.title, article.summary, bills),
            "first_seen_at": at,
            "run_id": run_id,
            "other_sources": json.dumps(
                [s for s in story.sources if s != article.source], ensure_ascii=False
            ),
        }

    def _add_other_sources(self, outlets: dict[str, list[str]]) -> None:
        """Outlets that carried a stored story later join its ``other_sources``."""
        for url, names in outlets.items():
            row = self.conn.execute(
                "SELECT source, other_sources FROM news_articles WHERE url = ?", [url]
            ).fetchone()
            if row is None:
                continue
            source, others = row[0], json.loads(row[1] or "[]")
            joined = others + [n for n in names if n != source and n not in others]
            if joined != others:
                self.conn.execute(
                    "UPDATE news_articles SET other_sources = ? WHERE url = ?",
                    [json.dumps(joined, ensure_ascii=False), url],
                )

    def _near(self, dates: list[datetime], window_days: float) -> list[Article]:
        """Stored articles that new items published on ``dates`` could repeat: published
        within ``window_days`` of them, or at an unknown time."""
        if not dates:
            return []
        window = timedelta(days=window_days)
        rows = self.conn.execute(
            "SELECT url, title, source, published_at, summary FROM news_articles"
            " WHERE julianday(published_at) BETWEEN julianday(?) AND julianday(?)"
            " OR published_at IS NULL",
            [self.store.iso(min(dates) - window), self.store.iso(max(dates) + window)],
        )
        return [
            Article(
                url=url,
                title=title,
                source=source,
                published_at=datetime.fromisoformat(published) if published else None,
                summary=summary or "",
            )
            for url, title, source, published, summary in rows
        ]

    def _bills(self) -> list[dict[str, Any]]:
        return self.query("SELECT bill_id, bill_no, title, proposed_on FROM bills")

    def link_to_bills(self) -> int:
        """Set ``bill_id`` on stored articles that name a bill found since; return how many."""
        with self.store.transaction():
            bills = self._bills()
            rows = self.conn.execute(
                "SELECT id, title, summary FROM news_articles WHERE bill_id IS NULL"
            ).fetchall()
            links = [
                (bill_id, article_id)
                for article_id, title, summary in rows
                if (bill_id := bill_for(title, summary or "", bills))
            ]
            self.conn.executemany("UPDATE news_articles SET bill_id = ? WHERE id = ?", links)
        return len(links)

    def article_bills(self, urls: list[str]) -> dict[str, dict[str, Any]]:
        """The bill each stored article (by URL) names, where it names one."""
        found: dict[str, dict[str, Any]] = {}
        sql = (
            "SELECT n.url, b.bill_no, b.title FROM news_articles n JOIN bills b USING (bill_id)"
            " WHERE n.url IN ({})"
        )
        for cursor in in_chunks(self.conn, sql, urls):
            found.update((url, {"bill_no": no, "title": title}) for url, no, title in cursor)
        return found
