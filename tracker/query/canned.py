"""The questions staff ask of the change history, as SQL: Datasette's canned queries and the
examples in ``docs/queries.md``, which is generated from this list and a demo database::

    make demo && TRACKER_CLOCK=2026-07-15T09:00:00+09:00 \\
        .venv/bin/python -m tracker.query.canned demo-output/tracker.db > docs/queries.md
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tracker.domain.fields import FIELD_LABELS, INTERNAL_FIELDS
from tracker.query.sql import Result, format_table, open_readonly


@dataclass(frozen=True)
class CannedQuery:
    name: str
    question: str  # Korean, as staff ask it
    question_en: str
    sql: str
    # A value for each ``:parameter`` of the SQL: the example in docs/queries.md and the demo.
    example: dict[str, str] = field(default_factory=dict)

    def inline_sql(self) -> str:
        """The SQL with the example values in place of its parameters, for ``tracker query``."""
        return re.sub(
            r":(\w+)", lambda m: "'" + self.example[m.group(1)].replace("'", "''") + "'", self.sql
        )


def _sql_field_label(column: str) -> str:
    """A CASE that names a ``bill_changes.field`` in Korean, as the digest does."""
    whens = "".join(
        f"\n         WHEN '{name}' THEN '{label}'" for name, label in FIELD_LABELS.items()
    )
    return f"CASE {column}{whens}\n         ELSE {column} END"


_INTERNAL = ", ".join(f"'{name}'" for name in sorted(INTERNAL_FIELDS))
# A stage code as its Korean label; other fields' values as they are.
_CHANGE_VALUES = """coalesce(o.label, c.old_value) AS 이전, coalesce(n.label, c.new_value) AS 이후
FROM bill_changes c JOIN bills b USING (bill_id)
LEFT JOIN stages o ON c.field = 'stage' AND o.code = c.old_value
LEFT JOIN stages n ON c.field = 'stage' AND n.code = c.new_value"""

QUERIES: tuple[CannedQuery, ...] = (
    CannedQuery(
        "where_bills_stand",
        "추적 중인 의안은 지금 어느 단계에 있나?",
        "Where does every tracked bill stand now, and since when (the Assembly's date)?",
        """\
SELECT bill_no AS 의안번호, title AS 의안명, stage_label AS 단계, result AS 처리결과,
       (SELECT max(happened_on) FROM bill_events e WHERE e.bill_id = s.bill_id) AS 최근진행일,
       committee AS 소관위원회
FROM bill_status s
ORDER BY 최근진행일 DESC, bill_no""",
    ),
    CannedQuery(
        "moved_in_committee_this_quarter",
        "이번 분기에 위원회(소관위·법사위) 단계에서 움직인 의안은?",
        "Which bills moved in committee (standing committee or judiciary) this quarter?",
        """\
SELECT observed_at AS 확인시각, bill_no AS 의안번호, title AS 의안명,
       old_label AS 이전단계, new_label AS 새단계
FROM stage_changes
WHERE (old_stage IN ('committee_review', 'judiciary_review')
       OR new_stage IN ('committee_review', 'judiciary_review'))
  AND observed_at >= date('now', 'start of month',
                          printf('-%d months', (strftime('%m', 'now') - 1) % 3))
ORDER BY observed_at, change_id""",
    ),
    CannedQuery(
        "changes_since",
        "어느 날(:since) 이후 바뀐 것은 전부 무엇인가?",
        "Everything that changed since a day (:since, YYYY-MM-DD)",
        f"""\
SELECT c.observed_at AS 확인시각, b.bill_no AS 의안번호, b.title AS 의안명,
       {_sql_field_label("c.field")} AS 항목,
       {_CHANGE_VALUES}
WHERE c.observed_at >= :since AND c.field NOT IN ({_INTERNAL})
ORDER BY c.observed_at, c.id""",
        {"since": "2026-07-01"},
    ),
    CannedQuery(
        "history_of_one_bill",
        "의안번호(:bill_no)로 본 한 의안의 변경 이력은?",
        "The whole recorded history of one bill, by its number (:bill_no)",
        f"""\
SELECT c.observed_at AS 확인시각, CASE c.kind WHEN 'new' THEN '신규' ELSE '변경' END AS 구분,
       {_sql_field_label("c.field")} AS 항목,
       {_CHANGE_VALUES}
WHERE b.bill_no = :bill_no
ORDER BY c.observed_at, c.id""",
        {"bill_no": "2203257"},
    ),
    CannedQuery(
        "assembly_timeline",
        "국회 기록으로 각 의안은 언제 어느 단계에 이르렀나?",
        "When did each bill reach each stage, by the Assembly's own dates?",
        """\
SELECT bill_no AS 의안번호, happened_on AS 일자, stage_label AS 단계, description AS 국회표기
FROM bill_timeline
ORDER BY bill_no, happened_on, stage_order""",
    ),
    CannedQuery(
        "title_search",
        "제목에 낱말(:keyword)이 들어간 의안은? (띄어쓰기 무관)",
        "Which bills have a word (:keyword) in their title, spacing aside?",
        """\
SELECT bill_no AS 의안번호, title AS 의안명, stage_label AS 단계
FROM bill_status
WHERE instr(replace(title, ' ', ''), replace(:keyword, ' ', '')) > 0
ORDER BY bill_no""",
        {"keyword": "산업 벨트"},
    ),
    CannedQuery(
        "folded_into_alternative",
        "어느 위원회 대안이 어떤 의안들을 흡수했나?",
        "Which committee alternative absorbed which bills?",
        """\
SELECT alt.bill_no AS 대안_의안번호, alt.title AS 대안,
       old.bill_no AS 의안번호, old.title AS 의안명, r.happened_on AS 일자
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
SELECT r.id AS 점검번호, r.started_at AS 시작, r.status AS 결과, s.key AS 출처,
       json_array_length(s.value, '$.errors') AS 오류
FROM runs r, json_each(r.stats) s
WHERE json_array_length(s.value, '$.errors') > 0
ORDER BY r.id""",
    ),
    CannedQuery(
        "alerts_this_month",
        "이번 달 알림은 종류별로 몇 건 나갔고, 밀린 것은 있나?",
        "How many alerts of each kind went out this month, and are any stuck?",
        """\
SELECT kind AS 종류, status AS 상태, count(*) AS 건수,
       max(coalesce(sent_at, created_at)) AS 최근
FROM alerts
WHERE created_at >= date('now', 'start of month')
GROUP BY kind, status
ORDER BY kind, status""",
    ),
    CannedQuery(
        "news_mentioning",
        "낱말(:keyword)을 언급한 기사는? (뉴스)",
        "Every article that mentions a word (:keyword) in its headline or summary (news)",
        """\
SELECT published_at AS 보도시각, source AS 언론사, title AS 제목
FROM news_articles
WHERE instr(title, :keyword) > 0 OR instr(summary, :keyword) > 0
ORDER BY published_at DESC""",
        {"keyword": "울산"},
    ),
    CannedQuery(
        "news_per_bill",
        "의안별 기사는 몇 건이고 가장 최근 기사는 언제인가? (뉴스)",
        "How many articles did each bill get, and when was the latest? (news)",
        """\
SELECT bill_no AS 의안번호, bill_title AS 의안명, count(*) AS 기사, max(published_at) AS 최근
FROM news_by_bill
GROUP BY bill_id
ORDER BY 기사 DESC""",
    ),
    CannedQuery(
        "news_stories",
        "기사마다 어느 언론사들이 보도했나? (뉴스, 같은 기사는 한 줄)",
        "Which outlets carried each story? (news, one row per story)",
        """\
SELECT published_at AS 보도시각, source AS 언론사,
       (SELECT group_concat(value, ', ') FROM json_each(other_sources)) AS 함께보도, title AS 제목
FROM news_articles
ORDER BY published_at""",
    ),
)

_INTRO = """\
# Questions staff ask, in SQL

Each question below is a canned query in `tracker browse` (Datasette: a form asks for the
`:parameters`, bill titles link to the bill's page) and one `tracker query` away:

```sh
tracker query "SELECT bill_no, title, stage_label FROM bill_status"            # a table
tracker query --format csv "SELECT * FROM stage_changes" > stage_changes.csv   # csv, json
tracker query --excel "SELECT * FROM stage_changes" > stage_changes.csv        # csv for Excel
```

`tracker query` opens the database read-only: a statement that would change anything (`DELETE`,
`DROP`, `ATTACH`, `PRAGMA writable_schema`, `VACUUM INTO`, …) fails with exit code 2. It takes
no parameters: put the value in place of `:bill_no`, `:keyword` or `:since` (`'2203257'`).
`--excel` writes CSV with a UTF-8 byte order mark, which Excel needs to read Korean text.

The canned queries name their columns in Korean (`의안번호`, `의안명`, `단계`, …) and show
stage labels, not codes; the tables and views below keep their English column names.

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
TRACKER_CLOCK=2026-07-15T09:00:00+09:00 \\
  .venv/bin/python -m tracker.query.canned demo-output/tracker.db > docs/queries.md
```
"""


def answer(db: str | Path, query: CannedQuery) -> Result:
    """``query``'s answer on ``db`` (read-only), with its example values as parameters."""
    conn = open_readonly(db)
    try:
        cursor = conn.execute(query.sql, query.example)
        return Result([d[0] for d in cursor.description], cursor.fetchall())
    finally:
        conn.close()


def render_markdown(db: str | Path) -> str:
    """``docs/queries.md``: every question with its SQL and its answer on ``db``."""
    parts = [_INTRO]
    for number, query in enumerate(QUERIES, start=1):
        sample = format_table(answer(db, query)).rstrip("\n")
        values = ", ".join(f"`:{k}` = `{v}`" for k, v in query.example.items())
        asked = f"\n\nAnswered with {values}." if values else ""
        parts.append(
            f"\n## {number}. {query.question}\n\n{query.question_en}"
            f" (`{query.name}`)\n\n```sql\n{query.sql}\n```{asked}\n\n```text\n{sample}\n```\n"
        )
    return "".join(parts)


def main(argv: list[str] | None = None) -> None:
    """Print ``docs/queries.md`` for the database named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m tracker.query.canned DATABASE > docs/queries.md")
    sys.stdout.write(render_markdown(args[0]))


if __name__ == "__main__":
    main()
