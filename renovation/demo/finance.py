"""Demo ledger for `make run`: subsidy tranches, residents' contributions (in aggregate) and
payments to the construction firm for a handful of projects, every ended quarter published, and
one correction made today. Written through the finance services; skipped for projects that
already have entries, so seeding again adds nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from renovation.finance.models import (
    EntryKind,
    IncomeSource,
    LedgerEntry,
    QuarterlyDisclosure,
    previous_quarter,
    quarter_bounds,
    quarter_of,
)
from renovation.finance.selectors import contract_positions
from renovation.finance.services import disclosure_publish, ledger_entry_correct, ledger_entry_record
from renovation.projects.models import Project
from renovation.tendering.models import Contract

# A few projects keep seeding fast; each shows a different stage of the money.
DEMO_NEIGHBOURHOODS = ("飞云花园", "兴业大厦", "万松新村", "西山公寓", "锦湖新村", "虹桥新村二期", "西山新村")
PAYERS = {
    IncomeSource.CENTRAL: ("瑞安市财政局（中央补助资金）", "中央财政城镇老旧小区改造补助资金"),
    IncomeSource.PROVINCIAL: ("瑞安市财政局（省级补助资金）", "省级老旧小区改造补助资金"),
    IncomeSource.CITY: ("瑞安市财政局", "市级配套资金"),
    IncomeSource.RESIDENT: ("业主委员会（居民出资汇总）", "居民出资汇总划入"),
    IncomeSource.OTHER: ("瑞安市水务集团有限公司", "管线单位出资"),
}
BUDGET_FIELD = {source: f"budget_{source}" for source in IncomeSource.values}


def _share(amount: Decimal, ratio: str) -> Decimal:
    return (amount * Decimal(ratio)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _quarters(first: date, last_ended: tuple[int, int]) -> list[tuple[int, int]]:
    year, quarter = quarter_of(first)
    result = []
    while (year, quarter) <= last_ended:
        result.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return result


class FinanceSeeder:
    def __init__(self, *, actor: Any, today: date) -> None:
        self.actor, self.today = actor, today
        self.last_ended = previous_quarter(today)

    def run(self) -> int:
        seeded = 0
        projects = Project.objects.filter(neighbourhood__name__in=DEMO_NEIGHBOURHOODS).order_by("code")
        for project in projects:
            if project.ledger_entries.exists() or not (project.actual_start or project.planned_start):
                continue
            with transaction.atomic():
                self._project(project)
            seeded += 1
        return seeded

    def _record(self, project: Project, day: date, n: int, **data: Any) -> LedgerEntry:
        day = min(day, self.today)
        return ledger_entry_record(
            actor=self.actor,
            data={
                "project": project,
                "booked_on": day,
                "bank_reference": f"RCB{day:%Y%m%d}{project.pk:03d}{n:02d}",
                **data,
            },
        )

    def _project(self, project: Project) -> None:
        start = project.actual_start or project.planned_start
        n = 0
        # Subsidies arrive in two tranches around the start; residents pay in before it.
        for source in IncomeSource.values:
            budget = getattr(project, BUDGET_FIELD[source])
            if not budget:
                continue
            payer, purpose = PAYERS[source]
            tranches = [("1", -20)] if source == IncomeSource.RESIDENT else [("0.6", -30), ("0.4", 75)]
            for index, (ratio, offset) in enumerate(tranches, start=1):
                n += 1
                label = purpose if len(tranches) == 1 else f"{purpose}（第{index}批）"
                self._record(
                    project,
                    start + timedelta(days=offset),
                    n,
                    kind=EntryKind.INCOME,
                    source=source,
                    amount=_share(budget, ratio),
                    counterparty=payer,
                    purpose=label,
                )
        payments = self._payments(project, start, n)
        for year, quarter in _quarters(start - timedelta(days=30), self.last_ended):
            disclosure = disclosure_publish(actor=self.actor, project=project, year=year, quarter=quarter)
            published = quarter_bounds(year, quarter)[1] + timedelta(days=10)
            moment = timezone.make_aware(datetime.combine(min(published, self.today), time(9, 30)))
            QuarterlyDisclosure.objects.filter(pk=disclosure.pk).update(published_at=moment)  # demo backdating
        if payments and project.neighbourhood.name == "飞云花园":
            ledger_entry_correct(
                actor=self.actor,
                entry=payments[0],
                amount=Decimal("-2000.00"),
                reason="按发票金额更正：预付款多录 2,000 元，已由施工单位退回",
            )

    def _payments(self, project: Project, start: date, n: int) -> list[LedgerEntry]:
        contract = Contract.objects.filter(project=project).order_by("signed_on", "pk").first()
        if contract is not None:
            ceiling = contract_positions([contract.pk])[contract.pk].remaining
            payee = contract.contractor.name
        else:
            ceiling = project.budget_total
            payee = project.construction_unit or "瑞安市城建工程有限公司"
        base = min(ceiling, _share(project.budget_total, "0.9"))
        steps = [("0.3", 20, "工程预付款"), ("0.4", 110, "工程进度款")]
        if project.is_completed:
            steps.append(("0.25", 230, "竣工结算款"))
        payments = []
        for step, (ratio, offset, purpose) in enumerate(steps, start=1):
            day = start + timedelta(days=offset)
            if day > self.today:
                break
            payments.append(
                self._record(
                    project,
                    day,
                    n + step,
                    kind=EntryKind.PAYMENT,
                    amount=_share(base, ratio),
                    counterparty=payee,
                    purpose=purpose,
                    contract=contract,
                    invoice_number=f"3300{day:%y%m%d}{project.pk:04d}",
                )
            )
        return payments


def seed_finance(*, bureau: Any, today: date) -> int:
    return FinanceSeeder(actor=bureau, today=today).run()
