"""Demo money: subsidy tranches and the residents' contributions (in aggregate) as they arrive,
payments on each contract as the works advance (advance, progress, completion, final settlement
up to the contract plus its approved change orders), and every ended quarter disclosed ten days
after it ends. Each entry is booked on the day the demo clock stands at, through the finance
services, so the ledger's own rules (nothing in the future, nothing in a disclosed quarter, no
payment above the contract) hold as they would in real use."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import timezone

from renovation.finance.models import EntryKind, IncomeSource, LedgerEntry, quarter_bounds, quarter_of
from renovation.finance.selectors import contract_positions
from renovation.finance.services import disclosure_publish, ledger_entry_correct, ledger_entry_record
from renovation.projects.models import Project
from renovation.tendering.models import Contract

from .clock import at

PAYERS = {
    IncomeSource.CENTRAL: ("瑞安市财政局（中央补助资金）", "中央财政城镇老旧小区改造补助资金"),
    IncomeSource.PROVINCIAL: ("瑞安市财政局（省级补助资金）", "省级老旧小区改造补助资金"),
    IncomeSource.CITY: ("瑞安市财政局", "市级配套资金"),
    IncomeSource.RESIDENT: ("业主委员会（居民出资汇总）", "居民出资汇总划入"),
    IncomeSource.OTHER: ("瑞安市水务集团有限公司", "管线单位出资"),
}
BUDGET_FIELD = {source: f"budget_{source}" for source in IncomeSource.values}


def share(amount: Decimal, ratio: str) -> Decimal:
    return (amount * Decimal(ratio)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


class DemoLedger:
    """Books entries at the current moment of the demo clock."""

    def __init__(self, *, actor: Any, clock: Any) -> None:
        self.actor = actor
        self.clock = clock
        self._numbers: dict[int, int] = {}

    def _record(self, project: Project, **data: Any) -> LedgerEntry:
        day = timezone.localdate()
        n = self._numbers[project.pk] = self._numbers.get(project.pk, 0) + 1
        first = n == 1 and not project.ledger_entries.exists()
        entry = ledger_entry_record(
            actor=self.actor,
            data={
                "project": project,
                "booked_on": day,
                "bank_reference": f"RCB{day:%Y%m%d}{project.pk:03d}{n:02d}",
                **data,
            },
        )
        if first:
            self.clock.spawn(self.disclosures(project))
        return entry

    def income(self, project: Project, source: str, ratio: str, tranche: int | None = None) -> LedgerEntry | None:
        """A tranche (``ratio`` of the budgeted amount) of one source of funds."""
        budget = getattr(project, BUDGET_FIELD[source])
        if not budget:
            return None
        payer, purpose = PAYERS[source]
        return self._record(
            project,
            kind=EntryKind.INCOME,
            source=source,
            amount=share(budget, ratio),
            counterparty=payer,
            purpose=purpose if tranche is None else f"{purpose}（第{tranche}批）",
        )

    def pay(self, contract: Contract, amount: Decimal, purpose: str) -> LedgerEntry | None:
        if amount <= 0:
            return None
        day = timezone.localdate()
        return self._record(
            contract.project,
            kind=EntryKind.PAYMENT,
            amount=amount,
            counterparty=contract.contractor.name,
            purpose=purpose,
            contract=contract,
            invoice_number=f"3300{day:%y%m%d}{contract.pk:04d}",
        )

    def pay_share(self, contract: Contract, ratio: str, purpose: str) -> LedgerEntry | None:
        """Pay ``ratio`` of the contract amount, never beyond what the contract allows."""
        position = contract_positions([contract.pk])[contract.pk]
        remaining = position.remaining.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return self.pay(contract, min(share(contract.amount, ratio), remaining), purpose)

    def settle(self, contract: Contract) -> LedgerEntry | None:
        """The final settlement: whatever the contract plus approved change orders still allows."""
        remaining = contract_positions([contract.pk])[contract.pk].remaining
        return self.pay(contract, remaining.quantize(Decimal("0.01"), rounding=ROUND_DOWN), "竣工结算款")

    def correct(self, entry: LedgerEntry, amount: Decimal, reason: str) -> LedgerEntry:
        return ledger_entry_correct(actor=self.actor, entry=entry, amount=amount, reason=reason)

    def disclosures(self, project: Project) -> Generator[datetime, None, None]:
        """Every quarter from the first entry's on, published ten days after it ends (or today,
        when those ten days have not passed yet)."""
        year, quarter = quarter_of(timezone.localdate())
        while True:
            last_day = quarter_bounds(year, quarter)[1]
            if last_day >= self.clock.today:
                return
            moment = at(last_day + timedelta(days=10), 9, 30)
            if moment > self.clock.horizon:
                moment = max(self.clock.horizon, self.clock.now)
            yield moment
            disclosure_publish(actor=self.actor, project=project, year=year, quarter=quarter)
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
