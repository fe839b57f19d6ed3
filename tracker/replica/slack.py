"""A stand-in for the Slack Web API over HTTP: records messages, can fail on request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.replica.http import ReplicaServer, Request, Response


@dataclass
class FakeSlack:
    """``chat.postMessage`` and an incoming webhook; ``failures`` is a queue of statuses to
    answer before succeeding again (500, 429, ``"badjson"``, or ``"timeout"``: posted, but
    answered too late)."""

    token: str = "xoxb-test-token"
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int | str] = field(default_factory=list)
    retry_after: int = 1
    delay: float = 0.0
    on_message: Callable[[dict[str, Any]], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ReplicaServer | None = None

    def _failure(self) -> Response | str | None:
        with self.lock:
            if not self.failures:
                return None
            mode = self.failures.pop(0)
        if mode == 429:
            headers = {"Retry-After": str(self.retry_after)}
            body = json.dumps({"ok": False, "error": "ratelimited"})
            return Response(429, body, "application/json", headers)
        if mode == "timeout":
            return "timeout"
        if mode == "badjson":
            return Response(200, "<html>upstream error</html>", "text/html")
        return Response(int(mode), "Internal Server Error")

    def _record(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.messages.append(message)
        if self.on_message:
            self.on_message(message)

    def post_message(self, request: Request) -> Response:
        failure = self._failure()
        if isinstance(failure, Response):
            return failure
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(
                200, json.dumps({"ok": False, "error": "invalid_auth"}), "application/json"
            )
        if "json" in request.headers.get("content-type", ""):
            message = json.loads(request.body or b"{}")
        else:
            message = request.form()
            for key in ("blocks", "metadata"):
                if isinstance(message.get(key), str):
                    message[key] = json.loads(message[key])
        if not message.get("channel"):
            return Response(
                200, json.dumps({"ok": False, "error": "channel_not_found"}), "application/json"
            )
        ts = f"{time.time():.6f}"
        message["ts"] = ts
        self._record(message)
        body = {
            "ok": True,
            "channel": "C0HAEOREUM",
            "ts": ts,
            "message": {"text": message.get("text")},
        }
        # "timeout": the message is posted, but the answer comes too late for the client.
        delay = 30.0 if failure == "timeout" else self.delay
        return Response(200, json.dumps(body), "application/json", delay=delay)

    def history(self, request: Request) -> Response:
        params = {**request.query, **request.form()}
        oldest = float(params.get("oldest") or 0)
        with self.lock:
            found = [
                {
                    "type": "message",
                    "ts": m["ts"],
                    "text": m.get("text"),
                    "metadata": m.get("metadata"),
                }
                for m in self.messages
                if float(m.get("ts", 0)) >= oldest
            ]
        body = {"ok": True, "messages": list(reversed(found)), "has_more": False}
        return Response(200, json.dumps(body), "application/json")

    def webhook(self, request: Request) -> Response:
        failure = self._failure()
        if isinstance(failure, Response):
            return failure
        self._record(json.loads(request.body or b"{}"))
        return Response(200, "ok")

    def routes(self) -> dict[str, Any]:
        return {
            "/api/chat.postMessage": self.post_message,
            "/api/conversations.history": self.history,
            "/webhook": self.webhook,
        }

    def start(self) -> FakeSlack:
        self.server = ReplicaServer(self.routes()).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    @property
    def api_base(self) -> str:
        assert self.server is not None
        return f"{self.server.url}/api/"

    def count_by_key(self) -> dict[str, int]:
        """How many messages arrived per alert dedupe key (from their metadata)."""
        counts: dict[str, int] = {}
        for message in self.messages:
            key = (message.get("metadata") or {}).get("event_payload", {}).get("dedupe_key")
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.messages]
