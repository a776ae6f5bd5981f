"""Every alert has its runbook section, and every alert reads metrics that /metrics exports."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = (ROOT / "deploy" / "prometheus" / "renovation-alerts.yml").read_text()
RUNBOOK = (ROOT / "deploy" / "RUNBOOK.md").read_text()

pytestmark = pytest.mark.django_db


def test_every_alert_has_a_runbook_section_and_every_section_an_alert():
    alerts = re.findall(r"^\s*- alert: (\w+)$", RULES, re.MULTILINE)
    sections = re.findall(r"^## (Renovation\w+)$", RUNBOOK, re.MULTILINE)
    assert len(alerts) >= 8
    assert sorted(alerts) == sorted(sections)
    for section in RUNBOOK.split("\n## ")[1:]:
        if section.startswith("Renovation"):
            assert all(part in section for part in ("**Fires:**", "**Why it matters:**", "**Do:**")), section[:40]


def test_the_alerts_read_only_metrics_that_are_exported(client):
    exported = client.get("/metrics").content.decode()
    names = set(re.findall(r"^# TYPE (renovation_\w+) ", exported, re.MULTILINE))
    used = {re.sub(r"_(bucket|sum|count)$", "", name) for name in re.findall(r"renovation_\w+", RULES)}
    assert used <= names, used - names
