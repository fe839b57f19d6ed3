"""``tracker notify --test``: one test message to every configured channel and recipient."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.config import Config
from tracker.errors import DeliveryError
from tracker.timeutil import iso, now

KIND = "notify_test"


@dataclass
class Target:
    """A place alerts go: a Slack channel (or the webhook, or the console) or a recipient."""

    label: str
    channel: str | None = None
    recipient: str | None = None
    uses: tuple[str, ...] = ()


@dataclass
class TestResult:
    target: Target
    error: str | None = None
    # The configuration's fault (a refused token, channel or login), not a passing one.
    setup: bool = False

    def line(self) -> str:
        if self.error is None:
            return f"ok    {self.target.label}"
        return f"FAIL  {self.target.label}: {self.error}"


def _add(targets: dict[str, Target], key: str, target: Target, use: str) -> None:
    found = targets.setdefault(key, target)
    found.uses = (*found.uses, use)


def targets(config: Config) -> list[Target]:
    """Every channel and recipient the configuration sends to, each once, with what for."""
    found: dict[str, Target] = {}
    secrets = config.secrets
    if secrets.slack_bot_token:
        if not config.routes:
            _add(
                found,
                config.slack.channel,
                Target(f"Slack {config.slack.channel}", config.slack.channel),
                "의안 알림",
            )
        if config.slack.ops_channel:
            ops = config.slack.ops_channel
            _add(found, ops, Target(f"Slack {ops}", ops), "수집 실패·전송 문제")
        for route in config.routes:
            if route.channel:
                channel = route.channel
                _add(found, channel, Target(f"Slack {channel}", channel), f"경로 {route.name}")
    else:
        label = "Slack webhook" if secrets.slack_webhook_url else "console"
        _add(found, label, Target(label, label), "모든 알림")
    for route in config.routes:
        for address in route.recipients:
            _add(
                found, address, Target(f"email {address}", recipient=address), f"경로 {route.name}"
            )
    for address in config.email.recipients:
        _add(found, address, Target(f"email {address}", recipient=address), "주간 요약")
    return list(found.values())


def send_tests(config: Config) -> list[TestResult]:
    """Send the test message to each target; one result each, in the order configured."""
    from notifiers.email_alert import EmailAlertNotifier, render_alert
    from notifiers.outbox import make_chat_notifier

    chat = make_chat_notifier(config)
    mail = EmailAlertNotifier(config.email, config.secrets.smtp_password)
    key = f"{KIND}:{iso(now(config.tracker.timezone), config.tracker.timezone)}"
    results = []
    for target in targets(config):
        payload = {"target": target.label, "uses": list(target.uses)}
        try:
            if target.recipient:
                mail.deliver(render_alert(KIND, payload), [target.recipient], key + target.label)
            else:
                chat.send(KIND, {**payload, "to": target.channel}, key)
        except DeliveryError as exc:
            results.append(TestResult(target, config.scrub(str(exc)), exc.setup))
        else:
            results.append(TestResult(target))
    return results
