"""The questions staff ask of the change history, as SQL: Datasette's canned queries and the
examples in ``docs/queries.md``, which is generated from this list and a demo database::

    make demo && TRACKER_CLOCK=2026-07-15T09:00:00+09:00 \\
        .venv/bin/python -m tracker.canned_queries demo-output/tracker.db > docs/queries.md
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from tracker.query import format_table, query_file


@dataclass(frozen=True)
class CannedQuery:
    name: str
    question: str  # Korean, as staff ask it
    question_en: str
    sql: str


QUERIES: tuple[CannedQuery, ...] = (
    CannedQuery(
        "bill_status",
        "추적 중인 의안은 지금 어느 단계에 있나?",
        "Where does every tracked bill stand now?",
        """\
SELECT bill_no, title, stage_label, result, last_changed_at
FROM bill_status
ORDER BY last_changed_at DESC, bill_no""",
    ),
    CannedQuery(
        "moved_in_committee_this_quarter",
        "이번 분기에 위원회(소관위·법사위) 단계에서 움직인 의안은?",
        "Which bills moved in committee (standing committee or judiciary) this quarter?",
        """\
SELECT observed_at, bill_no, title, old_label, new_label
FROM stage_changes
WHERE (old_stage IN ('committee_review', 'judiciary_review')
       OR new_stage IN ('committee_review', 'judiciary_review'))
  AND observed_at >= date('now', 'start of month',
                          printf('-%d months', (strftime('%m', 'now') - 1) % 3))
ORDER BY observed_at, change_id""",
    ),
    CannedQuery(
        "changes_last_7_days",
        "지난 7일 동안 바뀐 것은 전부 무엇인가?",
        "Everything that changed in the last seven days",
        """\
SELECT observed_at, bill_no, title, field, old_value, new_value
FROM recent_changes""",
    ),
    CannedQuery(
        "history_of_one_bill",
        "해오름산업벨트 특별법안(의안번호 2203257)은 언제 무엇이 바뀌었나?",
        "The whole recorded history of one bill (bill number 2203257)",
        """\
SELECT c.observed_at, c.kind, c.field, c.old_value, c.new_value
FROM bill_changes c JOIN bills b USING (bill_id)
WHERE b.bill_no = '2203257'
ORDER BY c.observed_at, c.id""",
    ),
    CannedQuery(
        "assembly_timeline",
        "국회 기록으로 각 의안은 언제 어느 단계에 이르렀나?",
        "When did each bill reach each stage, by the Assembly's own dates?",
        """\
SELECT bill_no, happened_on, stage_label, description
FROM bill_timeline
ORDER BY bill_no, happened_on, stage_order""",
    ),
    CannedQuery(
        "title_search",
        "제목에 '산업벨트'가 들어간 의안은? (전문 검색)",
        "Which bills have '산업벨트' in their title? (full-text search)",
        """\
SELECT bill_no, title, stage_label
FROM bill_status
WHERE bill_id IN (SELECT bill_id FROM bills_fts WHERE bills_fts MATCH '산업벨트')
ORDER BY bill_no""",
    ),
    CannedQuery(
        "two_character_search",
        "'특별법' 의안 가운데 위원회 '대안'은? (두 글자 낱말 검색)",
        "Which special-act bills are committee alternatives ('대안', a two-character word)?",
        """\
SELECT b.bill_no, b.title, b.stage_label
FROM bills_fts f JOIN bill_status b USING (bill_id)
WHERE bills_fts MATCH '특별법'
  AND instr(f.title, '대안') > 0""",
    ),
    CannedQuery(
        "folded_into_alternative",
        "어느 위원회 대안이 어떤 의안들을 흡수했나?",
        "Which committee alternative absorbed which bills?",
        """\
SELECT alt.bill_no AS alternative_no, alt.title AS alternative,
       old.bill_no, old.title, r.happened_on
FROM bill_events r
JOIN bills old ON old.bill_id = r.bill_id
JOIN bills alt ON alt.committee = old.committee
              AND alt.proposed_on = r.happened_on
              AND instr(alt.title, '(대안)') > 0
WHERE r.stage = 'replaced_by_alternative'
ORDER BY alt.bill_no, old.bill_no""",
    ),
    CannedQuery(
        "source_failures",
        "수집이 실패한 점검은 언제, 어느 출처에서, 오류 몇 건이었나?",
        "Which checks had a failing source, which one, and how many errors?",
        """\
SELECT r.id AS run_id, r.started_at, r.status, s.key AS source,
       json_array_length(s.value, '$.errors') AS errors
FROM runs r, json_each(r.stats) s
WHERE json_array_length(s.value, '$.errors') > 0
ORDER BY r.id""",
    ),
    CannedQuery(
        "alerts_this_month",
        "이번 달 알림은 종류별로 몇 건 나갔고, 밀린 것은 있나?",
        "How many alerts of each kind went out this month, and are any stuck?",
        """\
SELECT kind, status, count(*) AS alerts, max(coalesce(sent_at, created_at)) AS latest
FROM alerts
WHERE created_at >= date('now', 'start of month')
GROUP BY kind, status
ORDER BY kind, status""",
    ),
    CannedQuery(
        "news_special_act_ulsan",
        "'특별법'과 '울산'을 함께 언급한 기사는? (뉴스)",
        "Every article that mentions both 특별법 and 울산 (news)",
        """\
SELECT n.published_at, n.source, n.title, n.url
FROM news_fts f JOIN news_articles n ON n.id = f.rowid
WHERE news_fts MATCH '특별법'
  AND (instr(f.title, '울산') > 0 OR instr(f.summary, '울산') > 0)
ORDER BY n.published_at DESC""",
    ),
    CannedQuery(
        "news_per_bill",
        "의안별 기사는 몇 건이고 가장 최근 기사는 언제인가? (뉴스)",
        "How many articles did each bill get, and when was the latest? (news)",
        """\
SELECT bill_no, bill_title, count(*) AS articles, max(published_at) AS latest
FROM news_by_bill
GROUP BY bill_id
ORDER BY articles DESC""",
    ),
    CannedQuery(
        "news_stories",
        "기사마다 어느 언론사들이 보도했나? (뉴스, 같은 기사는 한 줄)",
        "Which outlets carried each story? (news, one row per story)",
        """\
SELECT published_at, source,
       (SELECT group_concat(value, ', ') FROM json_each(other_sources)) AS also_in, title
FROM news_articles
ORDER BY published_at""",
    ),
)

_INTRO = """\
# Questions staff ask, in SQL

Each question below is one `tracker query` away (and a canned query in `tracker browse`):

```sh
tracker query "SELECT bill_no, title, stage_label FROM bill_status"            # a table
tracker query --format csv "SELECT * FROM stage_changes" > stage_changes.csv   # csv, json
```

`tracker query` opens the database read-only: a statement that would change anything (`DELETE`,
`DROP`, `ATTACH`, `PRAGMA writable_schema`, `VACUUM INTO`, …) fails with exit code 2.

## What there is to query

- Tables (see `docs/contract.md`): `bills`, `bill_changes`, `bill_events`, `news_articles`,
  `alerts`, `runs`, `digests`, `stages`, `source_health`.
- Views: `bill_status` (each bill with its Korean stage label), `stage_changes` (every stage
  change with Korean labels), `bill_timeline` (the Assembly's own dates per stage),
  `news_by_bill` (articles linked to a bill), `stage_history` and `recent_changes` (last 7 days).
- Full-text search: `bills_fts` (`bill_id`, `title`) and `news_fts` (`title`, `summary`; its
  `rowid` is `news_articles.id`), with the `trigram` tokenizer, so `MATCH` finds any substring
  of **three characters or more**, spacing included: `MATCH '산업벨트'` finds
  '해오름산업벨트 지원에 관한 특별법안'.
- Two-character words (울산, 포항, 대안) are shorter than a trigram and match nothing with
  `MATCH`, nor with `LIKE` on the `*_fts` tables. Use `instr()` (or `LIKE '%울산%'`) on the
  column instead, alone or next to a `MATCH` that narrows the rows first:

  ```sql
  SELECT n.title FROM news_fts f JOIN news_articles n ON n.id = f.rowid
  WHERE news_fts MATCH '특별법' AND instr(f.title, '울산') > 0;
  SELECT bill_no, title FROM bills WHERE instr(title, '울산') > 0;
  ```

Times are ISO 8601 strings with the `+09:00` offset, so they compare as text
(`observed_at >= '2026-07-01'`); `date('now')` is UTC.

The samples below are the answers on the demo database (`make demo` writes
`demo-output/tracker.db`, a story from 1 June to 14 July 2026), asked the morning after the
story: `$TRACKER_CLOCK` sets the time that `'now'` means, for demos and tests. Regenerate this
file with

```sh
TRACKER_CLOCK=2026-07-15T09:00:00+09:00 \
  .venv/bin/python -m tracker.canned_queries demo-output/tracker.db > docs/queries.md
```
"""


def render_markdown(db: str | Path) -> str:
    """``docs/queries.md``: every question with its SQL and its answer on ``db``."""
    parts = [_INTRO]
    for number, query in enumerate(QUERIES, start=1):
        result = query_file(db, query.sql)
        sample = format_table(result).rstrip("\n")
        parts.append(
            f"\n## {number}. {query.question}\n\n{query.question_en}"
            f" (`{query.name}`)\n\n```sql\n{query.sql}\n```\n\n```text\n{sample}\n```\n"
        )
    return "".join(parts)


def main(argv: list[str] | None = None) -> None:
    """Print ``docs/queries.md`` for the database named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m tracker.canned_queries DATABASE > docs/queries.md")
    sys.stdout.write(render_markdown(args[0]))


if __name__ == "__main__":
    main()
