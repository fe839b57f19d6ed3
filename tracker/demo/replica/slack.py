"""A stand-in for the Slack Web API over HTTP, as strict as Slack: records messages, can fail
on request.

It answers as Slack's documentation says: a token it does not know is ``invalid_auth``;
``chat.postMessage`` takes a channel's id or its name (``#name`` or ``name``) and answers
with the id, while ``conversations.history`` takes only the id; a channel the bot is not a
member of is ``not_in_channel``; blocks beyond Slack's limits are ``invalid_blocks`` and a
``text`` beyond 40,000 characters is ``msg_too_long``. Threads as in Slack: ``thread_ts``
must be the ts of a message in that channel (else ``thread_not_found``; a reply's ts means
its thread), ``conversations.history`` lists only the channel's own messages and the replies
broadcast to it (``reply_broadcast``, subtype ``thread_broadcast``), and
``conversations.replies`` (channel id and an existing message's ``ts``) lists a thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.demo.replica.http import ReplicaServer, Request, Response

# Slack's documented limits (Block Kit reference, chat.postMessage).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000


def _error(error: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"ok": False, "error": error})
    return Response(status, body, "application/json", headers or {})


def _ok(body: dict[str, Any], delay: float = 0.0) -> Response:
    return Response(200, json.dumps({"ok": True, **body}), "application/json", delay=delay)


def blocks_error(blocks: Any) -> str | None:
    """Why Slack would refuse these blocks (``invalid_blocks``), or None."""
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return f"more than {MAX_BLOCKS} blocks"
    for i, block in enumerate(blocks):
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "")
        if kind == "section" and not 1 <= len(text) <= MAX_SECTION_TEXT:
            return f"blocks[{i}]: section text must be 1 to {MAX_SECTION_TEXT} characters"
        if kind == "header" and not 1 <= len(text) <= MAX_HEADER_TEXT:
            return f"blocks[{i}]: header text must be 1 to {MAX_HEADER_TEXT} characters"
        if kind not in ("section", "header", "context", "divider"):
            return f"blocks[{i}]: unsupported type {kind!r}"
    return None


@dataclass
class FakeSlack:
    """The Web API methods tracker uses and an incoming webhook.

    ``channels`` maps each channel's name to its id; ``joined`` holds the ids of the channels
    the bot is a member of (None: all of them). ``failures`` is a queue of answers to give
    before succeeding again: 500, 429 (``ratelimited`` with ``Retry-After``), ``"badjson"``,
    ``"timeout"`` (posted, but answered too late) or an error code such as
    ``"invalid_auth"``. ``history_failures`` does the same for ``conversations.history``.
    """

    token: str = "xoxb-test-token"
    channels: dict[str, str] = field(
        default_factory=lambda: {"haeoreum": "C0HAEOREUM", "tracker-ops": "C0TRACKOPS"}
    )
    joined: set[str] | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int | str] = field(default_factory=list)
    history_failures: list[int | str] = field(default_factory=list)
    retry_after: int = 1
    delay: float = 0.0
    on_message: Callable[[dict[str, Any]], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ReplicaServer | None = None
    calls: list[str] = field(default_factory=list)

    def _failure(self, queue: list[int | str]) -> Response | str | None:
        with self.lock:
            if not queue:
                return None
            mode = queue.pop(0)
        if mode == 429:
            return _error("ratelimited", 429, {"Retry-After": str(self.retry_after)})
        if mode == "timeout":
            return "timeout"
        if mode == "badjson":
            return Response(200, "<html>upstream error</html>", "text/html")
        if isinstance(mode, str):
            return _error(mode)
        return Response(int(mode), "Internal Server Error")

    def _params(self, request: Request) -> dict[str, Any]:
        if "json" in request.headers.get("content-type", ""):
            return json.loads(request.body or b"{}")
        params: dict[str, Any] = {**request.query, **request.form()}
        for key in ("blocks", "metadata"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _auth_error(self, request: Request) -> Response | None:
        header = request.headers.get("authorization")
        if not header:
            return _error("not_authed")
        if header != f"Bearer {self.token}":
            return _error("invalid_auth")
        return None

    def _channel_id(self, channel: str, by_name: bool) -> str | None:
        """The id ``channel`` names; names count only where Slack accepts them."""
        if channel in self.channels.values():
            return channel
        if by_name:
            return self.channels.get(channel.removeprefix("#"))
        return None

    def _is_member(self, channel_id: str) -> bool:
        return self.joined is None or channel_id in self.joined

    def _record(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.messages.append(message)
        if self.on_message:
            self.on_message(message)

    def _channel_call(
        self, request: Request, queue: list[int | str], by_name: bool
    ) -> tuple[Response | str | None, dict[str, Any], str]:
        """What a method on one channel checks first, as Slack does: a failure asked for,
        the token, the channel (an id; a name where ``by_name``), membership. Returns an
        error response (or the queued failure mode), the parameters and the channel id."""
        failure = self._failure(queue)
        if isinstance(failure, Response):
            return failure, {}, ""
        if denied := self._auth_error(request):
            return denied, {}, ""
        params = self._params(request)
        channel_id = self._channel_id(str(params.get("channel") or ""), by_name)
        if channel_id is None:
            return _error("channel_not_found"), params, ""
        if not self._is_member(channel_id):
            return _error("not_in_channel"), params, channel_id
        return failure, params, channel_id

    def post_message(self, request: Request) -> Response:
        self.calls.append("chat.postMessage")
        failure, message, channel_id = self._channel_call(request, self.failures, by_name=True)
        if isinstance(failure, Response):
            return failure
        if not message.get("text") and not message.get("blocks"):
            return _error("no_text")
        if blocks_error(message.get("blocks")):
            return _error("invalid_blocks")
        if len(message.get("text") or "") > MAX_TEXT:
            return _error("msg_too_long")
        if message.get("thread_ts"):
            root = self._root(channel_id, str(message["thread_ts"]))
            if root is None:
                return _error("thread_not_found")
            message["thread_ts"] = root
            if str(message.get("reply_broadcast")).lower() in ("true", "1"):
                message["subtype"] = "thread_broadcast"
        ts = self._next_ts()
        message["ts"] = ts
        message["channel_id"] = channel_id
        self._record(message)
        body = {"channel": channel_id, "ts": ts, "message": {"text": message.get("text")}}
        # "timeout": the message is posted, but the answer comes too late for the client.
        return _ok(body, delay=30.0 if failure == "timeout" else self.delay)

    def _next_ts(self) -> str:
        """A ts as Slack makes them: unique in the workspace, increasing."""
        with self.lock:
            last = float(self.messages[-1]["ts"]) if self.messages else 0.0
        return f"{max(time.time(), last + 0.000001):.6f}"

    def _root(self, channel_id: str, ts: str) -> str | None:
        """The ts of the thread a message of ``channel_id`` is in (its own when it is not a
        reply), or None when there is no such message."""
        with self.lock:
            for m in self.messages:
                if m["channel_id"] == channel_id and m["ts"] == ts:
                    return str(m.get("thread_ts") or m["ts"])
        return None

    @staticmethod
    def _listed(m: dict[str, Any]) -> dict[str, Any]:
        keys = ("ts", "text", "metadata", "thread_ts", "subtype")
        return {"type": "message", **{k: m[k] for k in keys if m.get(k) is not None}}

    def _listing(
        self,
        request: Request,
        method: str,
        keep: Callable[[dict[str, Any], str | None], bool],
        thread: bool = False,
    ) -> Response:
        """What ``conversations.history`` and ``.replies`` share: the checks, ``oldest``, and
        the messages ``keep`` takes (given the thread's root, for ``thread``)."""
        self.calls.append(method)
        failure, params, channel_id = self._channel_call(
            request, self.history_failures, by_name=False
        )
        if isinstance(failure, Response):
            return failure
        root = self._root(channel_id, str(params.get("ts") or "")) if thread else None
        if thread and root is None:
            return _error("thread_not_found")
        oldest = float(params.get("oldest") or 0)
        with self.lock:
            found = [
                self._listed(m)
                for m in self.messages
                if m["channel_id"] == channel_id
                and (m["ts"] == root or (float(m["ts"]) >= oldest and keep(m, root)))
            ]
        # The history lists the newest first, a thread its first message first.
        return _ok({"messages": found if thread else found[::-1], "has_more": False})

    def replies(self, request: Request) -> Response:
        """``conversations.replies``: the thread of an existing message (its first message,
        then the replies since ``oldest``)."""
        return self._listing(
            request, "conversations.replies", lambda m, root: m.get("thread_ts") == root, True
        )

    def history(self, request: Request) -> Response:
        """``conversations.history``: a reply shows in the channel only when broadcast."""
        return self._listing(
            request,
            "conversations.history",
            lambda m, _: not m.get("thread_ts") or m.get("subtype") == "thread_broadcast",
        )

    def list_channels(self, request: Request) -> Response:
        """``conversations.list``, one channel a page, so that clients must follow cursors."""
        self.calls.append("conversations.list")
        if denied := self._auth_error(request):
            return denied
        params = self._params(request)
        # Every channel here is public.
        names = sorted(self.channels) if "public_channel" in params.get("types", "") else []
        start = int(params.get("cursor") or 0)
        page = [
            {"id": self.channels[n], "name": n, "is_member": self._is_member(self.channels[n])}
            for n in names[start : start + 1]
        ]
        cursor = str(start + 1) if start + 1 < len(names) else ""
        return _ok({"channels": page, "response_metadata": {"next_cursor": cursor}})

    def webhook(self, request: Request) -> Response:
        failure = self._failure(self.failures)
        if isinstance(failure, Response):
            return failure
        message = json.loads(request.body or b"{}")
        if blocks_error(message.get("blocks")):
            return Response(400, "invalid_blocks")
        message["channel_id"] = "webhook"
        self._record(message)
        return Response(200, "ok")

    def routes(self) -> dict[str, Any]:
        return {
            "/api/chat.postMessage": self.post_message,
            "/api/conversations.history": self.history,
            "/api/conversations.replies": self.replies,
            "/api/conversations.list": self.list_channels,
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

    def in_channel(self, name: str) -> list[dict[str, Any]]:
        """The messages that arrived in the channel called ``name``, replies included."""
        channel_id = self.channels[name.removeprefix("#")]
        return [m for m in self.messages if m["channel_id"] == channel_id]

    def texts_in(self, name: str) -> list[str]:
        """The texts of the messages that arrived in the channel called ``name``."""
        channel_id = self.channels[name.removeprefix("#")]
        return [m.get("text", "") for m in self.messages if m["channel_id"] == channel_id]
