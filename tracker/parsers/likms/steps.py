"""The fragment's step bar (접수 … 공포): each step, the stage it stands for, its date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from tracker.domain.bills import BillEvent
from tracker.domain.stages import stage_for_step
from tracker.errors import ParseError
from tracker.parsers.likms.document import FIND, has_class, one, optional_text, parse_date
from tracker.parsers.likms.urls import INFO_SOURCE

# The step bar's steps (data-gbn) and the stage each stands for. The last step, DCS, is named
# for how the bill ended (공포, 대안반영폐기, 철회, 부결, …): its stage comes from its title.
STEP_STAGES: dict[str, str] = {
    "RECEIVE": "received",
    "CMT": "committee_review",
    "EXAM": "judiciary_review",
    "MAIN": "plenary",
    "GOVTRANS": "sent_to_government",
    # 정부재의: a vetoed bill back for a second vote, after its transfer to the government.
    "REEXAM": "sent_to_government",
}
ENDING_STEP = "DCS"
_IN_PROGRESS = "(현재 진행중)"


@dataclass(frozen=True)
class StepBarItem:
    """One step of the fragment's step bar (접수 … 공포), with the stage it stands for."""

    code: str
    title: str
    stage: str
    date: str | None
    current: bool


def step_bar_events(step_bar: Iterable[StepBarItem], plenary_stage: str) -> list[BillEvent]:
    """The step bar's dates (접수: 제안일, the reviews: 처리일, 본회의: 의결일) as steps."""
    events = []
    for item in step_bar:
        if item.date:
            stage = plenary_stage if item.code == "MAIN" else item.stage
            events.append(BillEvent(stage, item.date, item.title.replace(_IN_PROGRESS, "").strip()))
    return events


def read_step_bar(root: etree._Element) -> tuple[StepBarItem, ...]:
    bar = one(root, "div.bill_step_list#insc-step-sect", INFO_SOURCE)
    items = []
    for step in FIND["div[data-gbn]"](bar):
        code = step.get("data-gbn", "").strip()
        title = optional_text(step, "div.title") or step.get("title", "").strip()
        date_text = optional_text(step, "div.stepdate")
        current = has_class(step, "on") or step.get("title", "").strip().endswith(_IN_PROGRESS)
        stage = stage_for_step(title) if code == ENDING_STEP else STEP_STAGES.get(code)
        if stage is None:
            if date_text or current:
                raise ParseError(INFO_SOURCE, f"step bar step {code} '{title}' is not known")
            continue
        date = (
            parse_date(date_text, INFO_SOURCE, f"step {code} div.stepdate") if date_text else None
        )
        items.append(StepBarItem(code, title, stage, date, current))
    if not items:
        raise ParseError(INFO_SOURCE, "div.bill_step_list#insc-step-sect has no div[data-gbn]")
    return tuple(items)
