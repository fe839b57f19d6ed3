"""``tracker digest`` end to end: a real SQLite file filled through the store, a real SMTP
server on 127.0.0.1, periods sent exactly once, failures that lose nothing."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
import time_machine
from click.testing import CliRunner

from tests.smtp_server import SmtpServer, free_port
from tracker.cli import cli
from tracker.config import Config, load_config
from tracker.digest.build import build_digest
from tracker.digest.model import Digest
from tracker.digest.period import Period
from tracker.digest.render import render_digest
from tracker.digest.service import send_due_digest
from tracker.domain.bills import BillEvent, BillRecord
from tracker.domain.links import PUBLIC_BILL_PAGE
from tracker.store.database import Store, open_store
from tracker.store.schema import MIGRATIONS

KST = ZoneInfo("Asia/Seoul")
PAGE = "https://likms.assembly.go.kr/bill/bi/billDetailPage.do?billId="
RECIPIENTS = ["staff@example.org", "office@example.org"]


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


# The week due on Monday 2026-11-23 09:00 runs from the Monday before, 09:00.
MONDAY = kst(2026, 11, 23, 10, 0)
WEEK_START = kst(2026, 11, 16, 9, 0)
WEEK_END = kst(2026, 11, 23, 9, 0)

ACT = "PRC_A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1"
AMENDMENT = "PRC_B2B2B2B2B2B2B2B2B2B2B2B2B2B2B2"
EXPIRED = "PRC_C3C3C3C3C3C3C3C3C3C3C3C3C3C3C3"
STALLED = "PRC_D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4"
NEW = "PRC_E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5"
TITLES = {
    ACT: "해오름산업벨트 지원에 관한 특별법안",
    AMENDMENT: "지역균형발전 특별법 일부개정법률안",
    EXPIRED: "동해안 에너지 클러스터 특별법안",
    STALLED: "동해안 수소경제 특구 지정에 관한 법률안",
    NEW: "해오름동맹 상생협력 지원법안",
}
STORY = "해오름산업벨트 특별법, 법사위 통과…본회의 상정 눈앞"


def bill(bill_id: str, stage: str, result: str | None = None, **extra) -> BillRecord:
    return BillRecord(
        bill_id=bill_id,
        source="assembly_api",
        stage=stage,
        result=result,
        title=TITLES[bill_id],
        bill_no=bill_id[-7:],
        proposer="박의원 등 10인",
        committee="행정안전위원회",
        detail_url=PAGE + bill_id,
        matched_by="해오름 산업벨트",
        **extra,
    )


def apply_at(db: Path, when: datetime, *records: BillRecord) -> None:
    """Store ``records`` as a check running at ``when`` would."""
    with time_machine.travel(when, tick=False):
        store = open_store(db)
        try:
            for record in records:
                store.bills.apply_bill(record, None)
        finally:
            store.close()


# (title, url, outlet, first seen): one story run by two outlets, another story, and an
# article from the week before.
ARTICLES = [
    ("지난주 기사", "https://example.kr/old", "경북일보", kst(2026, 11, 12)),
    (STORY, "https://example.kr/a/1", "경북일보", kst(2026, 11, 19, 8)),
    (f"[속보] {STORY}", "https://ulsan.example.kr/n/9", "울산매일", kst(2026, 11, 19, 9)),
    ('해오름동맹 3개 시장 "특별법 연내 제정" 한목소리', "https://example.kr/a/2", "경주신문",
     kst(2026, 11, 21, 9)),
]  # fmt: skip


def add_articles(db: Path) -> None:
    store = open_store(db)
    # No store method writes news yet; the rows have the columns the news crawl stores.
    store.db["news_articles"].insert_all(
        {
            "url": url,
            "title": title,
            "source": source,
            "published_at": seen.isoformat(),
            "summary": "",
            "matched_keywords": "해오름 산업벨트",
            "first_seen_at": seen.isoformat(),
        }
        for title, url, source, seen in ARTICLES
    )
    store.close()


def seed(db: Path) -> None:
    """Five bills over four months, three of them moving in the week of 11-16, and news."""
    events = [BillEvent("received", "2024-01-05"), BillEvent("committee_review", "2024-01-08")]
    apply_at(db, kst(2026, 8, 3, 10), bill(STALLED, "committee_review"))
    apply_at(
        db,
        kst(2026, 11, 10, 10),
        bill(ACT, "committee_review"),
        bill(AMENDMENT, "committee_review"),
        bill(EXPIRED, "committee_review", events=events),
    )
    apply_at(
        db,
        kst(2026, 11, 18, 11),
        bill(ACT, "judiciary_review"),
        bill(EXPIRED, "discarded", "임기만료폐기"),
    )
    apply_at(db, kst(2026, 11, 20, 15), bill(ACT, "plenary"), bill(NEW, "received"))
    add_articles(db)


def write_config(path: Path, db: Path, port: int, extra: str = "") -> Path:
    to = ", ".join(f'"{r}"' for r in RECIPIENTS)
    path.write_text(
        f'[tracker]\ndb = "{db.as_posix()}"\n\n[email]\nsmtp_host = "127.0.0.1"\n'
        f"smtp_port = {port}\nrecipients = [{to}]\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture
def config_path(tmp_path: Path, db: Path, smtp_server: SmtpServer) -> Path:
    return write_config(tmp_path / "tracker.toml", db, smtp_server.port)


def config_at(path: Path, **env: str) -> Config:
    return load_config(str(path), env=env)


def digests(db: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT period_start, period_end, status, last_error FROM digests ORDER BY id"
        ).fetchall()


def digest_statuses(db: Path) -> list[str]:
    return [row[2] for row in digests(db)]


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


@pytest.mark.e2e
def test_the_due_week_arrives_with_every_bill_change_and_story(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    outcome = send_due_digest(config_at(config_path), MONDAY)
    assert outcome.status == "sent", outcome.message
    assert outcome.period == Period(WEEK_START, WEEK_END)

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert smtp_server.envelopes[0][1] == RECIPIENTS
    assert received.get_content_type() == "multipart/alternative"
    assert received["Date"] and received["Message-ID"]
    assert received["Subject"] == (
        "[해오름 법안 주간 동향] 2026-11-16 ~ 2026-11-23: 단계 변경 3건, 신규 1건, 기사 2건"
    )
    text, html = parts(received)
    for title in TITLES.values():
        assert title in text and title in html
    for change in ("소관위 심사 → 법사위 체계자구심사", "법사위 체계자구심사 → 본회의 심의",
                   "소관위 심사 → 폐기", "신규 추적: 접수"):  # fmt: skip
        assert change in text and change in html
    assert "종료: 임기만료폐기 (소관위 심사 단계에서)" in text
    assert "[장기 계류]" in text
    assert text.count(STORY) == 1 and html.count(STORY) == 1
    assert "경북일보 외 1개 언론 (울산매일)" in text
    assert "한목소리" in text
    assert "지난주 기사" not in text

    start, end, status, error = digests(db)[0]
    assert (start, end, status, error) == (
        "2026-11-16T09:00:00+09:00", "2026-11-23T09:00:00+09:00", "sent", None,
    )  # fmt: skip


@pytest.mark.e2e
def test_two_senders_at_once_send_the_period_once(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    # The daemon's digest and a `tracker digest` by hand, both while the first is sending.
    seed(db)
    config = config_at(config_path)
    smtp_server.delay = 1
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda _: send_due_digest(config, MONDAY), range(2)))
    assert sorted(o.status for o in outcomes) == ["not_due", "sent"]
    assert len(smtp_server.messages) == 1
    assert digest_statuses(db) == ["sent"]


@pytest.mark.e2e
def test_a_sent_period_is_never_sent_again(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    config = config_at(config_path)
    assert send_due_digest(config, MONDAY).status == "sent"
    again = send_due_digest(config, kst(2026, 11, 25, 8, 0))
    assert again.status == "not_due"
    assert len(smtp_server.messages) == 1
    assert len(digests(db)) == 1


@pytest.mark.e2e
def test_a_missed_monday_is_caught_up_once_and_the_next_week_follows_on(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    config = config_at(config_path)
    wednesday = kst(2026, 11, 25, 14, 0)
    assert send_due_digest(config, wednesday).period == Period(WEEK_START, WEEK_END)
    assert send_due_digest(config, wednesday).status == "not_due"
    apply_at(db, kst(2026, 11, 26, 10), bill(ACT, "passed", "수정가결"))
    following = send_due_digest(config, kst(2026, 11, 30, 9, 0))
    assert following.period == Period(WEEK_END, kst(2026, 11, 30, 9, 0))
    assert len(smtp_server.messages) == 2
    text, _ = parts(smtp_server.messages[1])
    assert "본회의 심의 → 본회의 의결" in text
    assert "법사위 체계자구심사 → 본회의 심의" not in text


@pytest.mark.e2e
def test_smtp_refusing_leaves_the_period_due_and_a_retry_sends_it_once(
    tmp_path: Path, db: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    down = write_config(tmp_path / "down.toml", db, free_port(), 'username = "tracker"\n')
    failed = send_due_digest(config_at(down, SMTP_PASSWORD="hunter2-Secret"), MONDAY)
    assert failed.status == "failed" and not failed.ok
    assert "ConnectionRefusedError" in failed.message and "hunter2" not in failed.message
    [(_, _, status, error)] = digests(db)
    assert status == "failed" and "ConnectionRefusedError" in error

    up = write_config(tmp_path / "up.toml", db, smtp_server.port)
    retry = send_due_digest(config_at(up), kst(2026, 11, 23, 11, 0))
    assert retry.status == "sent"
    assert retry.period == failed.period == Period(WEEK_START, WEEK_END)
    assert send_due_digest(config_at(up), kst(2026, 11, 23, 12, 0)).status == ("not_due")
    assert len(smtp_server.messages) == 1
    text, _ = parts(smtp_server.messages[0])
    assert all(title in text for title in TITLES.values())
    assert [row[2:] for row in digests(db)] == [("sent", None)]


@pytest.mark.e2e
def test_an_empty_week_is_a_short_friendly_digest(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    apply_at(db, kst(2026, 10, 1, 10), bill(ACT, "committee_review"))
    assert send_due_digest(config_at(config_path), MONDAY).status == "sent"
    received = smtp_server.messages[0]
    assert received["Subject"].endswith("2026-11-16 ~ 2026-11-23: 변동 없음")
    text, _ = parts(received)
    assert "이번 주에는 변동 사항이 없습니다" in text
    assert TITLES[ACT] in text
    assert len(text.splitlines()) < 25


@pytest.mark.e2e
def test_skip_empty_sends_nothing_and_does_not_retry(
    tmp_path: Path, db: Path, smtp_server: SmtpServer
) -> None:
    path = write_config(tmp_path / "t.toml", db, smtp_server.port, "skip_empty = true\n")
    apply_at(db, kst(2026, 10, 1, 10), bill(ACT, "committee_review"))
    assert send_due_digest(config_at(path), MONDAY).status == "skipped"
    assert send_due_digest(config_at(path), MONDAY).status == "not_due"
    assert smtp_server.messages == []
    assert digest_statuses(db) == ["skipped"]


def test_a_first_version_database_gains_the_delivery_columns(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.isolation_level = None
        store = Store(sqlite_utils.Database(conn))
        MIGRATIONS[0](store.db)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO digests (period_start, period_end, created_at, status)"
            " VALUES ('2026-11-09T09:00:00+09:00', '2026-11-16T09:00:00+09:00', 'x', 'sent')"
        )
    store = open_store(db)
    assert store.schema_version == len(MIGRATIONS)
    assert store.digests.covered_until() == kst(2026, 11, 16, 9)
    store.close()
    assert digests(db) == [("2026-11-09T09:00:00+09:00", "2026-11-16T09:00:00+09:00", "sent", None)]


def test_no_recipients_emails_nothing_and_records_nothing(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(f'[tracker]\ndb = "{db.as_posix()}"\n', encoding="utf-8")
    seed(db)
    outcome = send_due_digest(config_at(path), MONDAY)
    assert outcome.status == "no_recipients" and outcome.ok
    assert "recipients is empty" in outcome.message
    assert digests(db) == []


# --- the command line, in process so the clock can be set ---------------------------------


def run(config_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config_path), "digest", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.e2e
def test_cli_dry_run_prints_the_text_part_and_sends_nothing(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    with time_machine.travel(MONDAY, tick=False):
        code, out, _ = run(config_path, "--dry-run")
    assert code == 0
    assert out.startswith("Subject: [해오름 법안 주간 동향] 2026-11-16 ~ 2026-11-23")
    assert all(title in out for title in TITLES.values())
    assert smtp_server.messages == [] and digests(db) == []


@pytest.mark.e2e
def test_cli_out_writes_an_eml_or_html_and_sends_nothing(
    tmp_path: Path, db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    with time_machine.travel(MONDAY, tick=False):
        code, out, _ = run(config_path, "--out", str(tmp_path / "digest.eml"))
        assert code == 0 and "not sent" in out
        assert run(config_path, "--out", str(tmp_path / "digest.html"))[0] == 0
        assert run(config_path, "--out", str(tmp_path / "digest.pdf"))[0] == 2
    message = message_from_bytes((tmp_path / "digest.eml").read_bytes(), policy=default_policy)
    assert "단계 변경 3건" in message["Subject"]
    text, html = parts(message)
    assert TITLES[NEW] in text
    assert html == (tmp_path / "digest.html").read_text(encoding="utf-8")
    assert smtp_server.messages == [] and digests(db) == []


@pytest.mark.e2e
def test_cli_sends_once_then_says_nothing_is_due(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    with time_machine.travel(MONDAY, tick=False):
        first = run(config_path)
        second = run(config_path)
    assert first[0] == 0 and "sent to 2 recipient(s)" in first[1]
    assert second[0] == 0 and "no digest due" in second[1]
    assert len(smtp_server.messages) == 1


@pytest.mark.e2e
def test_cli_since_covers_the_days_asked_for(
    db: Path, config_path: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    with time_machine.travel(MONDAY, tick=False):
        assert run(config_path, "--since", "2099-01-01")[0] == 2
        code, out, _ = run(config_path, "--dry-run", "--since", "2026-11-20")
    assert code == 0
    assert "2026-11-20 ~ 2026-11-23" in out
    assert "법사위 체계자구심사 → 본회의 심의" in out
    assert "소관위 심사 → 법사위 체계자구심사" not in out


# --- the real command line after a real check against the replica -------------------------


def email_section(port: int) -> str:
    return (
        f'\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nusername = "tracker"\n'
        'recipients = ["staff@example.org"]\n'
    )


@pytest.mark.e2e
def test_cli_after_a_check_fails_with_one_line_then_sends_the_bills(
    env, replica, slack, smtp_server: SmtpServer
) -> None:
    # Each process gets its own clock: a period ends (exclusively) at its digest's second, so a
    # digest must run later than the check whose bills it shows, whatever the machine's speed.
    env.env["TRACKER_CLOCK"] = MONDAY.isoformat()
    assert env.tracker("check").returncode == 0
    today = MONDAY.date().isoformat()
    password = smtp_server.password
    env.env["SMTP_PASSWORD"] = password

    env.config.write_text(
        replica.config_toml(env.db, slack.api_base, email_section(free_port())), encoding="utf-8"
    )
    env.env["TRACKER_CLOCK"] = (MONDAY + timedelta(hours=1)).isoformat()
    down = env.tracker("digest", "--since", today)
    assert down.returncode == 1
    assert down.stderr.count("\n") == 1 and "ConnectionRefusedError" in down.stderr
    assert password not in down.stderr + down.stdout
    assert "Traceback" not in down.stderr
    assert digest_statuses(env.db) == ["failed"]

    env.config.write_text(
        replica.config_toml(env.db, slack.api_base, email_section(smtp_server.port)),
        encoding="utf-8",
    )
    env.env["TRACKER_CLOCK"] = (MONDAY + timedelta(hours=2)).isoformat()
    up = env.tracker("digest", "--since", today)
    assert up.returncode == 0, up.stderr
    assert len(smtp_server.messages) == 1
    text, html = parts(smtp_server.messages[0])
    with sqlite3.connect(env.db) as conn:
        titles = [row[0] for row in conn.execute("SELECT title FROM bills")]
    assert len(titles) == 2
    assert all(title in text and title in html for title in titles)
    assert text.count("신규 추적: 소관위 심사") == 2
    # The retry an hour later covered a period of its own, up to its time.
    assert digest_statuses(env.db) == ["failed", "sent"]


@pytest.mark.e2e
def test_a_refused_smtp_login_exits_2_keeps_the_period_and_tells_the_operator_once(
    tmp_path: Path, db: Path, smtp_server: SmtpServer
) -> None:
    seed(db)
    path = write_config(tmp_path / "t.toml", db, smtp_server.port, 'username = "tracker"\n')
    runner = CliRunner()
    for _ in range(2):
        with time_machine.travel(MONDAY, tick=False):
            result = runner.invoke(
                cli, ["--config", str(path), "digest"], env={"SMTP_PASSWORD": "wrong-one"}
            )
        assert result.exit_code == 2
        [line] = result.stderr.strip().splitlines()
        assert "535" in line and "$SMTP_PASSWORD" in line and "wrong-one" not in line
    assert smtp_server.messages == []
    assert digest_statuses(db) == ["failed"]
    with sqlite3.connect(db) as conn:
        notices = conn.execute(
            "SELECT payload FROM alerts WHERE kind = 'delivery_problem' AND status = 'pending'"
        ).fetchall()
    assert len(notices) == 1 and "SMTP_PASSWORD" in notices[0][0]

    with time_machine.travel(MONDAY, tick=False):
        fixed = runner.invoke(
            cli, ["--config", str(path), "digest"], env={"SMTP_PASSWORD": smtp_server.password}
        )
    assert fixed.exit_code == 0, fixed.output
    assert len(smtp_server.messages) == 1 and digest_statuses(db) == ["sent"]


def week_digest(db: Path) -> Digest:
    """The digest of the week of 11-16 as the database holds it."""
    store = open_store(db)
    try:
        return build_digest(store, Period(WEEK_START, WEEK_END))
    finally:
        store.close()


def test_dates_and_stall_come_from_the_assemblys_steps(db: Path) -> None:
    # First seen on 11-10, but in committee since 2024-09-02 by the Assembly's own dates; a
    # bill with no dated step falls back to when tracker saw it change.
    steps = [BillEvent("received", "2024-08-30"), BillEvent("committee_review", "2024-09-02")]
    apply_at(db, kst(2026, 11, 10, 10), bill(ACT, "committee_review", events=steps))
    apply_at(db, kst(2026, 11, 18, 11), bill(AMENDMENT, "committee_review"))
    digest = week_digest(db)
    by_id = {b.bill_id: b for b in digest.bills}
    assert by_id[ACT].last_step_on == date(2024, 9, 2)
    assert by_id[ACT].stalled
    assert by_id[AMENDMENT].last_step_on is None and not by_id[AMENDMENT].stalled
    text = render_digest(digest).text
    assert "마지막 변동 2024-09-02 (월) · 812일째 변동 없음" in text
    assert "마지막 변동 2026-11-18 (수) (tracker 확인 기준)" in text


def test_a_folded_bill_names_its_alternative(db: Path) -> None:
    alternative = "PRC_F6F6F6F6F6F6F6F6F6F6F6F6F6F6F6"
    folded = bill(
        ACT,
        "replaced_by_alternative",
        "대안반영폐기",
        replaced_by=alternative,
        replaced_by_title="특별법안(대안)",
    )
    record = BillRecord(
        alternative, "bill_page", stage="received", title="특별법안(대안)", bill_no="2214410"
    )
    record.matched_by = f"alternative:{ACT}"
    apply_at(db, kst(2026, 11, 10, 10), bill(ACT, "committee_review"))
    apply_at(db, kst(2026, 11, 18, 11), folded, record)
    digest = week_digest(db)
    by_id = {b.bill_id: b for b in digest.bills}
    assert by_id[ACT].alternative is not None
    assert by_id[ACT].alternative.bill_no == "2214410"
    # No stored link yet: the alternative's public page by its BILL_ID.
    assert by_id[ACT].alternative.url == PUBLIC_BILL_PAGE + alternative
    assert [f.bill_no for f in by_id[alternative].folded] == [ACT[-7:]]
    text = render_digest(digest).text
    assert "→ 위원회 대안 「특별법안(대안)」(2214410)에 반영" in text
    assert "처리결과" not in text
