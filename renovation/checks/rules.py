"""The invariants ``manage.py check_figures`` proves, in the order it reports them. Each rule is a
function of its own that reads the whole database in a fixed number of queries and yields one
finding per broken record."""

from __future__ import annotations

from collections.abc import Iterator

from .findings import Finding, Rule
from .lifecycle import (
    consultation_before_approval,
    contract_before_construction,
    deadline_after_report,
    deliberation_before_approval,
    publicity_before_award,
    tendering_before_bids,
)
from .money import disclosed_quarters_frozen, ledger_balances, payments_within_contract
from .records import change_log_backed_by_history, contractor_is_award_winner, project_progress_weighted

RULES: dict[str, Rule] = {
    "consultation-before-approval": consultation_before_approval,
    "deliberation-before-approval": deliberation_before_approval,
    "tendering-before-bids": tendering_before_bids,
    "publicity-before-award": publicity_before_award,
    "contract-before-construction": contract_before_construction,
    "deadline-after-report": deadline_after_report,
    "payments-within-contract": payments_within_contract,
    "ledger-balances": ledger_balances,
    "disclosed-quarters-frozen": disclosed_quarters_frozen,
    "project-progress-weighted": project_progress_weighted,
    "contractor-is-award-winner": contractor_is_award_winner,
    "change-log-backed-by-history": change_log_backed_by_history,
}


def check_figures(rules: list[str] | None = None) -> Iterator[Finding]:
    for code in rules or list(RULES):
        yield from RULES[code]()
