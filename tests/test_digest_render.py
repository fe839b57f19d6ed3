"""Rendering the weekly digest: both parts carry every entry exactly once, the HTML is safe
for mail clients, and the MIME message and files are well formed."""

from __future__ import annotations

import email
import re
from datetime import date, datetime
from email.header import decode_header, make_header
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from tracker.demo.sample import sample_digest
from tracker.digest.mail import build_message, write_digest_file
from tracker.digest.model import Digest, DigestArticle, DigestBill, DigestChange
from tracker.digest.render import (
    COLOR_CURRENT,
    COLOR_DONE,
    COLOR_ENDING,
    COLOR_LAW,
    RenderedDigest,
    render_digest,
)
from tracker.domain.links import PUBLIC_BILL_PAGE

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=KST)
SUBJECT = "[해오름 법안 주간 동향] 2026-11-16 ~ 2026-11-22: 단계 변경 2건, 신규 1건, 기사 3건"
CHANGE_LINES = [
    "단계: 법사위 체계자구심사 → 본회의 심의",
    "단계: 소관위 심사 → 대안반영폐기",
    "신규 추적: 접수",
]


@pytest.fixture
def digest() -> Digest:
    return sample_digest()


@pytest.fixture
def rendered(digest: Digest) -> RenderedDigest:
    return render_digest(digest)


def test_subject(rendered: RenderedDigest) -> None:
    assert rendered.subject == SUBJECT


def test_every_bill_once_in_both_parts(digest: Digest, rendered: RenderedDigest) -> None:
    changed = {c.bill_id for c in digest.changes}
    named = [b.alternative.bill_id for b in digest.bills if b.alternative]
    named += [f.bill_id for b in digest.bills for f in b.folded]
    for bill in digest.bills:
        assert bill.detail_url
        assert rendered.text.count(bill.detail_url) == 1, bill.bill_id
        # Its card, its group of changes, and the cards of the bills folded into it (or of
        # the alternative it went into) link to its page.
        links = 1 + (bill.bill_id in changed) + named.count(bill.bill_id)
        assert rendered.html.count(f'href="{escape(bill.detail_url)}"') == links, bill.bill_id
        assert rendered.text.count(f"의안번호 {bill.bill_no} ") == 1
        assert rendered.html.count(f"의안번호 {bill.bill_no} ") == 1


def test_every_change_once_in_both_parts(rendered: RenderedDigest) -> None:
    for line in CHANGE_LINES:
        assert rendered.text.count(line) == 1, line
        assert rendered.html.count(line) == 1, line
    assert "11-18 (수) 10:30" in rendered.text
    assert "11-18 (수) 10:30" in rendered.html


def test_each_story_once_with_other_outlets(digest: Digest, rendered: RenderedDigest) -> None:
    for article in digest.articles:
        assert rendered.text.count(article.url) == 1
        assert rendered.text.count(article.title) == 1
        assert rendered.html.count(f'href="{escape(article.url)}"') == 1
        assert rendered.html.count(str(escape(article.title))) == 1
    for part in (rendered.text, rendered.html):
        assert "경북일보 외 3개 언론 (경상매일신문, 울산매일, 대구일보)" in part
        assert "울산매일 외 1개 언론 (경주신문)" in part
        assert "연합뉴스 · 2026-11-20 (금)" in part


def test_headline_and_stalled_flag(rendered: RenderedDigest) -> None:
    assert "요약: 단계 변경 2건 · 신규 법안 1건 · 기사 3건 · 추적 중인 법안 6건" in rendered.text
    assert rendered.text.count("[장기 계류]") == 1
    assert rendered.html.count(">장기 계류</span>") == 1
    # Counted from the Assembly's date of its last step (2025-03-04), not from when tracker
    # first saw it (2026-06-01).
    assert "마지막 변동 2025-03-04 (화) · 629일째 변동 없음" in rendered.text


def test_progress_bars(rendered: RenderedDigest) -> None:
    text = rendered.text
    assert "[■■■■□□□] 본회의 심의 (4/7)" in text
    assert "[■■□□□□□] 종료: 대안반영폐기 (소관위 심사 단계에서)" in text
    assert "[■■□□□□□] 종료: 임기만료폐기 (소관위 심사 단계에서)" in text
    assert "[■■■■■■■] 공포 (7/7, 수정가결)" in text

    html = rendered.html
    cells = re.findall(r'<td width="\d+%"[^>]*bgcolor="(#[0-9a-f]{6})"[^>]*>([^<]*)</td>', html)
    # six bills, seven progress cells each, plus one ending cell for each of the two ended
    assert len(cells) == 6 * 7 + 2
    # Cell labels are words of at most four syllables: a phone's narrow cells break them
    # between words only.
    assert (COLOR_ENDING, "대안반영 폐기") in cells
    assert (COLOR_ENDING, "임기만료 폐기") in cells
    assert (COLOR_DONE, "법사위 심사") in cells
    assert max(len(word) for _, label in cells for word in label.split()) <= 4
    assert (COLOR_LAW, "공포") in cells
    assert (COLOR_CURRENT, "본회의 심의") in cells
    assert sum(1 for color, _ in cells if color == COLOR_CURRENT) == 3
    assert sum(1 for color, _ in cells if color == COLOR_DONE) == 3 + 0 + 2 + 1 + 2 + 6


def test_html_is_mail_safe(rendered: RenderedDigest) -> None:
    html = rendered.html.lower()
    assert "<script" not in html
    assert "<style" not in html
    assert "<img" not in html
    assert "url(" not in html
    assert not re.search(r"\bsrc\s*=", html)
    assert not re.search(r"\bon[a-z]+\s*=", html)
    assert html.startswith("<!doctype html>")


def test_html_escapes_and_only_links_web_urls() -> None:
    bill = DigestBill(
        "PRC_X",
        "1",
        "<b>특별법</b> & 개정",
        None,
        None,
        "received",
        None,
        "javascript:alert(1)",
        "watchlist",
    )
    story = DigestArticle('해오름 "특별법" <i>속보</i>', "https://example.org/a?x=1&y=2", "매체")
    digest = Digest(NOW.replace(day=16), NOW, [bill], [], [story])
    rendered = render_digest(digest)
    assert "&lt;b&gt;특별법&lt;/b&gt; &amp; 개정" in rendered.html
    assert "<b>" not in rendered.html and "<i>" not in rendered.html
    assert 'href="javascript' not in rendered.html
    assert 'href="https://example.org/a?x=1&amp;y=2"' in rendered.html
    # the text part is not HTML: nothing is escaped there
    assert "<b>특별법</b> & 개정" in rendered.text
    assert '해오름 "특별법" <i>속보</i>' in rendered.text


def test_empty_week(digest: Digest) -> None:
    empty = Digest(digest.period_start, digest.period_end, digest.bills)
    rendered = render_digest(empty)
    assert rendered.subject == "[해오름 법안 주간 동향] 2026-11-16 ~ 2026-11-22: 변동 없음"
    for part in (rendered.text, rendered.html):
        assert "이번 주에는 변동 사항이 없습니다" in part
        assert "이번 주 변동" not in part
        assert "언론 보도" not in part
        for bill in digest.bills:
            assert bill.title in part
    assert "[■■■■□□□] 본회의 심의 (4/7)" in rendered.text
    assert len(rendered.text.splitlines()) < 60


def test_no_bills_at_all() -> None:
    rendered = render_digest(Digest(NOW.replace(day=16), NOW))
    assert "추적 중인 법안이 없습니다" in rendered.text
    assert "추적 중인 법안이 없습니다" in rendered.html


def test_other_field_changes_are_listed_but_not_counted() -> None:
    change = DigestChange("PRC_X", "법안", "committee", None, "행정안전위원회", NOW)
    digest = Digest(NOW.replace(day=16), NOW.replace(day=24), changes=[change])
    rendered = render_digest(digest)
    assert "소관위원회: 없음 → 행정안전위원회" in rendered.text
    assert "이번 주에는 변동 사항이 없습니다" not in rendered.text
    assert "단계 변경 0건" in rendered.subject


def test_message_parts_headers_and_subject(rendered: RenderedDigest) -> None:
    msg = build_message(rendered, "해오름 알림 <tracker@example.org>", ["a@example.org"], NOW)
    raw = msg.as_bytes()
    assert all(byte < 128 for byte in raw), "the message is 7-bit clean"
    assert b"=?utf-8?" in raw.lower()

    parsed = email.message_from_bytes(raw, policy=default_policy)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == SUBJECT
    raw_subject = email.message_from_bytes(raw)["Subject"]
    assert str(make_header(decode_header(raw_subject))) == SUBJECT
    assert parsed["To"] == "a@example.org"
    assert parsed["From"].addresses[0].addr_spec == "tracker@example.org"
    assert parsed["Message-ID"].endswith("@example.org>")
    assert email.utils.parsedate_to_datetime(parsed["Date"]) == NOW

    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content_type() == "text/plain"
    assert html is not None and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == "utf-8"
    assert html.get_content_charset() == "utf-8"
    assert plain.get_content() == rendered.text
    assert html.get_content() == rendered.html
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_message_needs_recipients(rendered: RenderedDigest) -> None:
    with pytest.raises(ValueError, match="recipient"):
        build_message(rendered, "tracker@example.org", [], NOW)


def test_write_digest_files(rendered: RenderedDigest, tmp_path: Path) -> None:
    msg = build_message(rendered, "tracker@example.org", ["a@example.org", "b@example.org"], NOW)

    eml = write_digest_file(msg, tmp_path / "digest.eml")
    assert eml.read_bytes() == msg.as_bytes()
    back = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert back["Subject"] == SUBJECT

    assert write_digest_file(msg, tmp_path / "d.html").read_text("utf-8") == rendered.html
    assert write_digest_file(rendered, tmp_path / "r.html").read_text("utf-8") == rendered.html
    assert write_digest_file(msg, tmp_path / "d.txt").read_text("utf-8") == rendered.text

    with pytest.raises(ValueError, match=r"\.eml"):
        write_digest_file(rendered, tmp_path / "r.eml")
    with pytest.raises(ValueError, match="unknown"):
        write_digest_file(msg, tmp_path / "d.pdf")


def test_ending_without_known_progress_and_unknown_stage() -> None:
    def bill(bill_id: str, stage: str, result: str | None = None) -> DigestBill:
        return DigestBill(bill_id, None, f"법안 {bill_id}", None, None, stage, result, None, None)

    digest = Digest(
        NOW.replace(day=16), NOW, [bill("A", "withdrawn", "철회"), bill("B", "mystery_step")]
    )
    rendered = render_digest(digest)
    assert "[□□□□□□□] 종료: 철회" in rendered.text
    assert "[□□□□□□□] mystery_step" in rendered.text
    assert f'bgcolor="{COLOR_ENDING}"' in rendered.html


def _bill(bill_id: str, no: str, title: str, stage: str, result: str | None = None) -> DigestBill:
    return DigestBill(bill_id, no, title, None, None, stage, result, None, "watchlist")


def test_changes_grouped_by_bill_without_internal_fields() -> None:
    alt = _bill("PRC_ALT0000000000000000000001", "2214410", "특별법안(대안)", "passed", "원안가결")
    old = _bill("PRC_OLD0000000000000000000001", "2203257", "특별법안", "replaced_by_alternative")
    t1, t2 = NOW.replace(day=17), NOW.replace(day=18)
    changes = [
        DigestChange(alt.bill_id, alt.title, "age", None, "22", t1),
        DigestChange(alt.bill_id, alt.title, "detail_url", None, "https://x.example/" * 9, t1),
        DigestChange(alt.bill_id, alt.title, "stage", "judiciary_review", "passed", t2),
        DigestChange(alt.bill_id, alt.title, "result", None, "원안가결", t2),
        DigestChange(old.bill_id, old.title, "stage", "committee_review", old.stage, t1),
        DigestChange(old.bill_id, old.title, "result", None, "대안반영폐기", t1),
        DigestChange(old.bill_id, old.title, "committee", None, "행정안전위원회", t2),
    ]
    digest = Digest(NOW.replace(day=16), NOW, [alt, old], changes)
    rendered = render_digest(digest)
    text = rendered.text
    section = text[text.index("== 이번 주 변동 ==") : text.index("== 법안 현황 ==")]
    assert section.splitlines()[1:] == [
        "- 특별법안 (2203257)",
        "  11-17 (화) 09:00  단계: 소관위 심사 → 대안반영폐기",
        "  11-18 (수) 09:00  소관위원회: 없음 → 행정안전위원회",
        "- 특별법안(대안) (2214410)",
        "  11-18 (수) 09:00  단계: 법사위 체계자구심사 → 본회의 의결 (원안가결)",
        "",
    ]
    for part in (rendered.text, rendered.html):
        assert "age" not in part and "상세 링크" not in part and "x.example" not in part
        assert "처리결과" not in part
    html = rendered.html
    changes_html = html[html.index("이번 주 변동") : html.index("법안 현황")]
    assert changes_html.count("특별법안(대안)</a>") == 1
    assert f'href="{PUBLIC_BILL_PAGE}{alt.bill_id}"' in changes_html
    # The headline still counts what happened: two stage changes.
    assert digest.summary.stage_changes == 2


def test_folded_bill_names_its_alternative_and_next_step_is_named(digest: Digest) -> None:
    rendered = render_digest(digest)
    folded = next(b for b in digest.bills if b.alternative)
    alternative = folded.alternative
    assert alternative is not None
    line = f"→ 위원회 대안 「{alternative.title}」({alternative.bill_no})에 반영"
    assert line in rendered.text
    assert f'→ 위원회 대안 「<a href="{escape(alternative.url)}"' in rendered.html, (
        "the folded bill's card links its alternative"
    )
    assert f"반영된 의안 {folded.bill_no}" in rendered.text
    assert "현재 단계: 본회의 심의 (4/7)" in rendered.html
    assert "· 다음 단계: 본회의 의결" in rendered.html
    assert "다음 단계 법사위 체계자구심사" in rendered.text
    # A bill that ended has no next step.
    ended = rendered.text[rendered.text.index("5. ") : rendered.text.index("6. ")]
    assert "다음 단계" not in ended


def test_last_change_falls_back_to_when_tracker_saw_it() -> None:
    seen = datetime(2026, 6, 1, 18, 0, tzinfo=KST)
    bill = _bill("PRC_A", "1", "법안", "committee_review")
    bill.last_changed_at = seen
    rendered = render_digest(Digest(NOW.replace(day=16), NOW, [bill]))
    assert "마지막 변동 2026-06-01 (월) (tracker 확인 기준)" in rendered.text
    bill.last_step_on = date(2024, 9, 2)
    rendered = render_digest(Digest(NOW.replace(day=16), NOW, [bill]))
    assert "마지막 변동 2024-09-02 (월)\n" in rendered.text
