"""All replica sources behind one local server, plus the config that points tracker at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.demo.replica.assembly import AssemblyApiReplica, advance
from tracker.demo.replica.bill_pages import BillPagesReplica
from tracker.demo.replica.http import ReplicaServer, Request, Response
from tracker.demo.replica.news import NewsReplica

ROBOTS_TXT = "User-agent: *\nAllow: /\n"


@dataclass
class Replica:
    """The replica of every source; start it, change its state between cycles, stop it."""

    assembly: AssemblyApiReplica = field(default_factory=AssemblyApiReplica)
    news: NewsReplica = field(default_factory=NewsReplica)
    server: ReplicaServer | None = None
    # Seconds added to every response (see ReplicaServer); 0 answers as fast as it can.
    latency: float = 0.0
    pages: BillPagesReplica = field(init=False)

    def __post_init__(self) -> None:
        self.pages = BillPagesReplica(self.assembly)

    def advance(self, bill_id: str, stage: str, day: str, **page: Any) -> None:
        """Move a bill on in both the bill pages and the Open API (``page``: see
        :func:`tracker.demo.replica.bill_pages.advance_page`)."""
        # The page first: taken from the API row the first time, it must not see the move twice.
        self.pages.advance(bill_id, stage, day, **page)
        with self.assembly.lock:
            advance(self.assembly.row(bill_id), stage, day, page.get("result") or "원안가결")

    def routes(self) -> dict[str, Any]:
        return {
            "/robots.txt": lambda request: Response(200, ROBOTS_TXT),
            "/portal/openapi/": self.assembly.handle,
            "/rss/search": self.news.google,
            "/v1/search/news.json": self.news.naver,
            "/rss/allArticle.xml": self.news.regional,
            "/bill/": self.pages.handle,
        }

    def start(self, port: int = 0) -> Replica:
        self.server = ReplicaServer(self.routes(), port=port, latency=self.latency).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self.server is not None, "replica not started"
        return self.server.url

    def requests(self, prefix: str = "/") -> list[Request]:
        assert self.server is not None
        return [r for r in self.server.log if r.path.startswith(prefix)]

    def config_toml(
        self,
        db: str | Path,
        slack_api_base: str | None = None,
        extra: str = "",
        *,
        pages_every_cycle: bool = False,
    ) -> str:
        """A config file text pointing every source at this replica; ``extra`` is appended.
        ``pages_every_cycle`` checks every bill's pages every cycle, quiet bills included."""
        lines = [
            "[tracker]",
            f'db = "{Path(db).as_posix()}"',
            "download_delay = 0",
            "autothrottle = false",
            "concurrent_requests_per_domain = 16",
            "",
            "[watch]",
            'keywords = ["해오름 산업벨트", "해오름동맹"]',
            "",
            "[sources.assembly]",
            f'api_base = "{self.url}/portal/openapi"',
            f'bill_page_base = "{self.url}/bill"',
            *(["quiet_pages_per_cycle = 100000"] if pages_every_cycle else []),
            "",
            "[sources.news]",
            f'google_news_base = "{self.url}/rss/search"',
            f'naver_api_base = "{self.url}/v1/search"',
            f'feeds = ["{self.url}/rss/allArticle.xml"]',
            "",
            "[slack]",
            f'api_base = "{slack_api_base or self.url + "/api/"}"',
            "backoff_seconds = 0",
            "max_retries = 1",
            "timeout_seconds = 5",
        ]
        return "\n".join(lines) + "\n" + extra
