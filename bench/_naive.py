"""The naive loop's parsing: the bill pages read with BeautifulSoup as a simple script would,
without the project's parsers and their checks."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup


def shell(html: str) -> dict[str, Any]:
    """Title, CSRF token and header, and hidden form fields of ``billDetailPage.do``."""
    soup = BeautifulSoup(html, "lxml")
    token = soup.find("meta", attrs={"name": "_csrf"})
    header = soup.find("meta", attrs={"name": "_csrf_header"})
    return {
        "title": soup.select_one("h3.detailh3").get_text(strip=True),
        "csrf_token": token["content"] if token else "",
        "csrf_header": header["content"] if header else "X-CSRF-TOKEN",
        "form": {
            field["name"]: field.get("value", "")
            for field in soup.select("form#form input[type=hidden]")
        },
    }


def bill_info(html: str) -> dict[str, Any]:
    """Bill number, proposal date, summary, dated steps and alternative of ``billInfo.do``."""
    soup = BeautifulSoup(html, "lxml")
    summary = soup.select_one("pre#prntSummary")
    alternative = soup.select_one("#altr_list a[data-bill-id]")
    return {
        "bill_no": soup.select_one("td.billNo span").get_text(strip=True),
        "proposed_on": soup.select_one("td.proposeDt span").get_text(strip=True),
        "summary": summary.get_text().strip() if summary else None,
        "steps": [
            {
                "name": row.select_one("td.stage").get_text(strip=True),
                "date": row.select_one("td.date").get_text(strip=True),
                "description": row.select_one("td.desc").get_text(strip=True),
            }
            for row in soup.select("tbody#stage-rows tr")
        ],
        "alternative": alternative["data-bill-id"] if alternative else None,
    }
