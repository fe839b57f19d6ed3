"""The Datasette plugin of ``tracker browse``: bill titles link to the bill's page, and Korean
text wraps between words, so titles are not squeezed into a sliver of a column.

Run as ``python -m tracker.query.datasette_plugin serve …`` it is Datasette's command line with the
plugin registered (it ships inside tracker, not as a separate package).
"""

from __future__ import annotations

import sys
from typing import Any

from datasette import Response, hookimpl
from markupsafe import Markup, escape

from tracker.domain.links import bill_url, web_url

CSS_PATH = "/-/tracker.css"
# Korean breaks between words, as in print; a word wider than its column still breaks.
CSS = """\
.rows-and-columns td { word-break: keep-all; overflow-wrap: break-word; }
.rows-and-columns td a { text-underline-offset: 2px; }
#sql-query { white-space: pre-wrap; overflow-wrap: anywhere; }
"""
# The canned queries' title columns: a bill's title is linked by the bill number beside it, an
# article's headline by the stored article of that headline.
BILL_TITLE, BILL_NUMBER, HEADLINE = "의안명", "의안번호", "제목"


def _link(url: str | None, text: str) -> Markup | None:
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>') if url else None


async def _bill_link(datasette: Any, database: str, number: str, title: str) -> Markup | None:
    result = await datasette.get_database(database).execute(
        "SELECT bill_id, detail_url FROM bills WHERE bill_no = ? LIMIT 1", [number]
    )
    first = result.first()
    return _link(bill_url(first["bill_id"], first["detail_url"]), title) if first else None


async def _article_link(datasette: Any, database: str, headline: str) -> Markup | None:
    result = await datasette.get_database(database).execute(
        "SELECT url FROM news_articles WHERE title = ? LIMIT 1", [headline]
    )
    first = result.first()
    return _link(web_url(first["url"]), headline) if first else None


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
):
    """A bill's title as a link to its page (in the canned queries, ``bills`` and
    ``bill_status``), a headline as a link to its article (in the canned queries)."""
    if not isinstance(value, str):
        return None
    keys = row.keys()
    if column == "title" and table in ("bills", "bill_status") and "bill_id" in keys:
        stored = row["detail_url"] if "detail_url" in keys else None
        return _link(bill_url(row["bill_id"], stored), value)
    if table is not None:
        return None
    if column == BILL_TITLE and BILL_NUMBER in keys and row[BILL_NUMBER]:
        return _bill_link(datasette, database, row[BILL_NUMBER], value)
    if column == HEADLINE:
        return _article_link(datasette, database, value)
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    async def stylesheet() -> Response:
        return Response(CSS, content_type="text/css; charset=utf-8")

    return [(r"^/-/tracker\.css$", stylesheet)]


@hookimpl
def extra_css_urls() -> list[str]:
    return [CSS_PATH]


def register() -> None:
    """Register this module with Datasette's plugin manager (once)."""
    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name="tracker")


def main() -> None:
    """Datasette's command line, with the plugin."""
    from datasette.cli import cli

    register()
    cli(prog_name="datasette")


if __name__ == "__main__":
    main()
