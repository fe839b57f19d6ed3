"""The naive loop's parsing: the bill pages read with BeautifulSoup as a simple script would,
without the project's parsers and their checks."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag


def _select(soup: Tag, selector: str) -> Tag:
    found = soup.select_one(selector)
    if found is None:
        raise ValueError(f"{selector} missing")
    return found


def shell(html: str) -> dict[str, Any]:
    """Title, CSRF token and hidden form fields of ``billDetailPage.do``."""
    soup = BeautifulSoup(html, "lxml")
    token = soup.find("meta", attrs={"name": "_csrf"})
    return {
        "title": _select(soup, "h3.detailh3").get_text(strip=True),
        "csrf_token": token["content"] if token else "",
        "form": {
            field["name"]: field.get("value", "")
            for field in soup.select("form#form input[type=hidden]")
        },
    }


def bill_info(html: str) -> dict[str, Any]:
    """Bill number, proposal date, summary, step bar and section tables of ``billInfo.do``."""
    soup = BeautifulSoup(html, "lxml")
    summary = soup.select_one("pre#prntSummary")
    tables: dict[str, list[dict[str, str]]] = {}
    for caption in soup.select("table > caption"):
        table = caption.parent
        assert table is not None  # "table > caption"
        rows = table.select("tbody tr")
        cells = [{td["class"][0]: td.get_text(strip=True) for td in tr.select("td")} for tr in rows]
        tables.setdefault(caption.get_text().split(" :")[0].strip(), cells)
    return {
        "bill_no": _select(soup, "td.billNo span").get_text(strip=True),
        "proposed_on": _select(soup, "td.proposeDt span").get_text(strip=True),
        "summary": summary.get_text().strip() if summary else None,
        "steps": [
            {
                "step": step["data-gbn"],
                "date": _select(step, "div.stepdate").get_text(strip=True),
                "current": "on" in (step.get("class") or []),
            }
            for step in soup.select("#insc-step-sect > div[data-gbn]")
        ],
        "tables": tables,
    }
