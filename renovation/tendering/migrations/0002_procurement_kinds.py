"""The seven kinds of works and services that must be publicly tendered (Wenzhou practice), and
a catch-all kind that is tendered only when its budget reaches the threshold."""

from django.db import migrations

KINDS = [
    ("property_service", "物业服务人选聘", True),
    ("construction", "改造工程施工", True),
    ("design", "工程设计", True),
    ("supervision", "工程监理", True),
    ("equipment", "电梯等设备采购与安装", True),
    ("security_systems", "监控安防与智能化系统", True),
    ("maintenance_fund_works", "使用专项维修资金的维修工程", True),
    ("other", "其他货物和服务", False),
]


def create_kinds(apps, schema_editor):
    ProcurementKind = apps.get_model("tendering", "ProcurementKind")
    for order, (code, name, must) in enumerate(KINDS, start=1):
        ProcurementKind.objects.get_or_create(code=code, defaults={"name": name, "must_tender": must, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("tendering", "0001_initial")]
    operations = [migrations.RunPython(create_kinds, migrations.RunPython.noop)]
