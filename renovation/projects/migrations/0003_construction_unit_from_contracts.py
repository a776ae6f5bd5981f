"""A project's construction unit is no longer typed: it is the company holding its contracts.

Before the typed field goes, every project whose typed name is not among its contract holders is
printed (a different company, or a name with no contract at all), so nothing is lost silently:
staff record the missing contract (tendered, or direct for works below the threshold)."""

from django.db import migrations


def report_conflicts(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Contract = apps.get_model("tendering", "Contract")
    holders: dict[int, set[str]] = {}
    for project_id, name in Contract.objects.values_list("project_id", "contractor__name"):
        holders.setdefault(project_id, set()).add(name.strip())
    conflicts = []
    typed = Project.objects.exclude(construction_unit="").order_by("code")
    for code, pk, name in typed.values_list("code", "pk", "construction_unit"):
        held = holders.get(pk, set())
        if name.strip() not in held:
            now = "、".join(sorted(held)) if held else "no contract recorded"
            conflicts.append(f"{code}: typed “{name}”, contract holder(s): {now}")
    if conflicts:
        print(f"\n  {len(conflicts)} project(s) whose typed construction unit is not its contract holder:")
        for line in conflicts:
            print(f"    {line}")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_historicalworkitem_procurement_kind_and_more"),
        ("tendering", "0004_contract_work_items_alter_contract_award_and_more"),
    ]

    operations = [
        migrations.RunPython(report_conflicts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="historicalproject", name="construction_unit"),
        migrations.RemoveField(model_name="project", name="construction_unit"),
    ]
