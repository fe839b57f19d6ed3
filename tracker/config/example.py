"""The commented example config that ``tracker init`` writes."""

# ruff: noqa: E501
EXAMPLE_CONFIG = """\
# tracker configuration. Secrets never go here: they come from the environment
# ($ASSEMBLY_API_KEY, $SLACK_BOT_TOKEN or $SLACK_WEBHOOK_URL, $SMTP_PASSWORD,
# $NAVER_CLIENT_ID / $NAVER_CLIENT_SECRET).

[tracker]
db = "tracker.db"              # $TRACKER_DB overrides
timezone = "Asia/Seoul"
# user_agent = "tracker/0.1.0 (+https://example.org/contact)"
# keep_runs_days = 90          # older rows of `runs` are pruned (history never is)

[watch]
keywords = ["해오름 산업벨트", "해오름동맹"]   # bill titles and news, matched spacing-insensitively
bill_ids = []                  # Assembly BILL_IDs (PRC_…, ARC_…) always tracked
bill_nos = []                  # 의안번호 always tracked, e.g. ["2203257"]; `tracker follow` adds more
ages = [22]                    # Assembly terms (대수) to scan
# alert_fields = ["committee"] # other bill fields whose changes also alert
# companions = ["특별법", "산업벨트", "동맹"]   # news: a short keyword ("해오름") counts only beside one

[sources.assembly]
api_base = "https://open.assembly.go.kr/portal/openapi"   # key from $ASSEMBLY_API_KEY
bill_page_base = "https://likms.assembly.go.kr/bill"

[sources.news]
google_news_base = "https://news.google.com/rss/search"   # "" disables
naver_api_base = "https://openapi.naver.com/v1/search"    # used when $NAVER_CLIENT_ID/$NAVER_CLIENT_SECRET set
feeds = []                     # extra RSS/Atom feed URLs, filtered by keywords
# alerts = false               # store news without the one-per-cycle Slack message

[slack]
channel = "#haeoreum"          # bot token from $SLACK_BOT_TOKEN; or $SLACK_WEBHOOK_URL
ops_channel = ""               # e.g. "#tracker-ops": source failures and delivery problems
api_base = "https://slack.com/api/"

[email]
smtp_host = "localhost"
smtp_port = 25
starttls = false
username = ""                  # password from $SMTP_PASSWORD
sender = "tracker@example.org"
recipients = []                # empty: digest is not emailed
# skip_empty = false           # true: a week with nothing new sends no email

[schedule]
check_every_minutes = 30       # fractions allowed, down to 0.0167 (every second, for tests)
digest = "mon 09:00"           # weekday and time, in [tracker].timezone

# [publish]                    # the status page and Atom feed (`tracker publish --out DIR`)
# dir = "/var/www/tracker"     # rewritten after each check when set
# title = "의안 추적 현황"
# url = "https://example.org/tracker"   # where they are served (the feed's links)

# Routes: each team its bills, kinds and places. Without any, every alert goes to
# [slack] channel. Kinds: stage_change, new_bill, news, meeting, source_failure.
# [[routes]]
# name = "울산"
# bills = ["2203257", "해오름동맹"]   # 의안번호, keywords in the title, or "all"
# kinds = ["stage_change", "new_bill", "news", "meeting"]
# channel = "#ulsan-policy"
# recipients = ["policy@ulsan.example.org"]   # emailed at once over [email]
# email_kinds = ["stage_change"]

# [verify]                     # the reference bill `tracker verify` reads; default 인공지능 기본법
# bill_id = "PRC_R2V4H1W1T2K5M1O6E4Q9T0V7Q9S0U0"
# bill_no = "2206772"
# promulgated_on = "2025-01-21"
# promulgation_no = "20676"
"""
