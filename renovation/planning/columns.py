"""The annual plan workbook: its sheets and columns, in the words bureau staff use."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header in the template; headers are matched exactly (trimmed)
    kind: str  # text, int, money, date, category, street
    required: bool = True
    width: int = 14


PROJECT_SHEET = "项目"
WORK_ITEM_SHEET = "改造内容"
NOTES_SHEET = "填写说明"

PROJECT_COLUMNS = (
    Column("code", "项目编号", "text", width=14),
    Column("street", "街道", "street", width=12),
    Column("community", "社区", "text", width=12),
    Column("neighbourhood", "小区", "text", width=16),
    Column("built_year", "建成年份", "int", width=10),
    Column("household_count", "户数", "int", width=8),
    Column("plan_year", "计划年度", "int", width=10),
    Column("budget_central", "中央补助（元）", "money", required=False, width=16),
    Column("budget_provincial", "省级补助（元）", "money", required=False, width=16),
    Column("budget_city", "市级配套（元）", "money", required=False, width=16),
    Column("budget_resident", "居民出资（元）", "money", required=False, width=16),
    Column("budget_other", "其他资金（元）", "money", required=False, width=16),
    Column("planned_start", "计划开工", "date", required=False, width=12),
    Column("planned_end", "计划竣工", "date", required=False, width=12),
)
WORK_ITEM_COLUMNS = (
    Column("project_code", "项目编号", "text", width=14),
    Column("category", "改造类别", "category", width=22),
    Column("description", "改造内容", "text", width=30),
    Column("quantity", "数量", "money", required=False, width=10),
    Column("unit", "单位", "text", required=False, width=8),
    Column("budget", "预算（元）", "money", required=False, width=16),
)

SHEETS = {PROJECT_SHEET: PROJECT_COLUMNS, WORK_ITEM_SHEET: WORK_ITEM_COLUMNS}

PROBLEM_LABELS = {
    "required": _("This cell must be filled in."),
    "number": _("Enter a number."),
    "whole_number": _("Enter a whole number."),
    "negative": _("Amounts cannot be negative."),
    "too_large": _("The amount is too large (at most 999,999,999,999.99 yuan)."),
    "date": _("Enter a date (e.g. 2024-03-01)."),
    "unknown_street": _("No street of this name is registered."),
    "unknown_category": _("Use one of the six categories (Chinese or English name)."),
    "duplicate_code": _("This project code appears twice in the sheet."),
    "duplicate_item": _("This work item appears twice for the project."),
    "end_before_start": _("The planned completion date is before the planned start date."),
    "unknown_project": _("No project with this code in the projects sheet or in the system."),
    "year": _("Enter a year between 1900 and 2100."),
    "too_long": _("The text is too long."),
    "other_neighbourhood": _("This project code belongs to a project in another neighbourhood."),
}
