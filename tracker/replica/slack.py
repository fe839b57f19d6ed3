"""A stand-in for the Slack Web API over HTTP: records messages, can fail on request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.replica.http import ReplicaServer, Request, Response


@dataclass
class FakeSlack:
    """``chat.postMessage`` and an incoming webhook; ``failures`` is a queue of statuses to
    answer before succeeding again (500, 429, or ``"timeout"``, ``"badjson"``)."""

    token: str = "xoxb-test-token"
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int | str] = field(default_factory=list)
    retry_after: int = 1
    on_message: Callable[[dict[str, Any]], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ReplicaServer | None = None

    def _failure(self) -> Response | None:
        with self.lock:
            if not self.failures:
                return None
            mode = self.failures.pop(0)
        if mode == 429:
            headers = {"Retry-After": str(self.retry_after)}
            body = json.dumps({"ok": False, "error": "ratelimited"})
            return Response(429, body, "application/json", headers)
        if mode == "timeout":
            return Response(200, json.dumps({"ok": True}), "application/json", delay=30.0)
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
        if failure:
            return failure
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(
                200, json.dumps({"ok": False, "error": "invalid_auth"}), "application/json"
            )
        if "json" in request.headers.get("content-type", ""):
            message = json.loads(request.body or b"{}")
        else:
            message = request.form()
            if isinstance(message.get("blocks"), str):
                message["blocks"] = json.loads(message["blocks"])
        if not message.get("channel"):
            return Response(
                200, json.dumps({"ok": False, "error": "channel_not_found"}), "application/json"
            )
        self._record(message)
        ts = f"{1700000000 + len(self.messages)}.000100"
        body = {
            "ok": True,
            "channel": "C0HAEOREUM",
            "ts": ts,
            "message": {"text": message.get("text")},
        }
        return Response(200, json.dumps(body), "application/json")

    def webhook(self, request: Request) -> Response:
        failure = self._failure()
        if failure:
            return failure
        self._record(json.loads(request.body or b"{}"))
        return Response(200, "ok")

    def routes(self) -> dict[str, Any]:
        return {"/api/chat.postMessage": self.post_message, "/webhook": self.webhook}

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

    @property
    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.messages]
