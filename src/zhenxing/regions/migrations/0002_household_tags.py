from django.db import migrations

TAGS = [
    ("dibao", "低保", True),
    ("tuopin", "脱贫户", True),
    ("jiance", "监测户", True),
    ("wubao", "五保", True),
    ("liushou", "留守", True),
    ("kongchao", "空巢", True),
    ("junlie", "军烈属", True),
    ("canji", "残疾", True),
]


def add_tags(apps, schema_editor):
    HouseholdTag = apps.get_model("regions", "HouseholdTag")
    for code, name, special in TAGS:
        HouseholdTag.objects.update_or_create(code=code, defaults={"name": name, "special": special})


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
