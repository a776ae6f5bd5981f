"""Construction units answer for a company's contracts instead of a ticked list of projects.

Each unit is linked to the company (Bidder) of the same name. Nothing is dropped silently: a unit
with no company of its name, and a project ticked for a unit whose company holds no contract on
it, are printed, so staff can link the company or record the contract."""

import django.db.models.deletion
from django.db import migrations, models


def link_companies(apps, schema_editor):
    ConstructionUnit = apps.get_model("supervision", "ConstructionUnit")
    Bidder = apps.get_model("tendering", "Bidder")
    Contract = apps.get_model("tendering", "Contract")
    companies = {bidder.name.strip(): bidder for bidder in Bidder.objects.all()}
    conflicts = []
    for unit in ConstructionUnit.objects.prefetch_related("projects").order_by("pk"):
        company = companies.get(unit.name.strip())
        ticked = {project.pk: project for project in unit.projects.all()}
        if company is None:
            if ticked:
                codes = ", ".join(sorted(project.code for project in ticked.values()))
                conflicts.append(f"construction unit “{unit.name}”: no company of this name; it built {codes}")
            continue
        if not ConstructionUnit.objects.filter(company=company).exists():
            unit.company = company
            unit.save(update_fields=["company"])
        held = set(Contract.objects.filter(contractor=company).values_list("project_id", flat=True))
        for project_id, project in sorted(ticked.items()):
            if project_id not in held:
                conflicts.append(
                    f"construction unit “{unit.name}”: ticked for {project.code}, where its company holds no contract"
                )
    if conflicts:
        print("\n  Construction units to review (issue 18: the contractor is the award):")
        for line in conflicts:
            print(f"    {line}")


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_verbose_names"),
        ("tendering", "0004_contract_work_items_alter_contract_award_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="constructionunit",
            name="company",
            field=models.OneToOneField(
                blank=True,
                help_text="The company (with its unified social credit code) whose contracts these accounts answer for.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="construction_unit",
                to="tendering.bidder",
                verbose_name="company",
            ),
        ),
        migrations.AddField(
            model_name="historicalconstructionunit",
            name="company",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The company (with its unified social credit code) whose contracts these accounts answer for.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tendering.bidder",
                verbose_name="company",
            ),
        ),
        migrations.RunPython(link_companies, migrations.RunPython.noop),
        migrations.RemoveField(model_name="constructionunit", name="projects"),
        migrations.DeleteModel(name="HistoricalConstructionUnit_projects"),
    ]
