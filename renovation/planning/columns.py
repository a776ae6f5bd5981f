"""The annual plan workbook: its sheets and columns, in the words bureau staff use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renovation.spreadsheets.cells import CELL_PROBLEMS, Column

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
    # The estate's centre for the public maps (WGS-84, as GPS and 天地图 give it); both or neither.
    Column("latitude", "纬度（WGS-84）", "latitude", required=False, width=14),
    Column("longitude", "经度（WGS-84）", "longitude", required=False, width=14),
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

# The shared cell problems plus the plan's own.
PROBLEM_LABELS = {
    **CELL_PROBLEMS,
    "unknown_street": _("No street of this name is registered."),
    "unknown_category": _("Use one of the six categories (Chinese or English name)."),
    "duplicate_code": _("This project code appears twice in the sheet."),
    "duplicate_item": _("This work item appears twice for the project."),
    "end_before_start": _("The planned completion date is before the planned start date."),
    "unknown_project": _("No project with this code in the projects sheet or in the system."),
    "year": _("Enter a year between 1900 and 2100."),
    "other_neighbourhood": _("This project code belongs to a project in another neighbourhood."),
    "latitude": _("A latitude in China lies between 3.8 and 53.6 degrees north (WGS-84)."),
    "longitude": _("A longitude in China lies between 73.5 and 135.1 degrees east (WGS-84)."),
    "half_position": _("Give both the latitude and the longitude, or neither."),
}
