"""The default figure rules (reports/figure_rules.yaml) a new deployment starts with; the county
edits and extends them in the admin (核数对照规则)."""

from django.db import migrations

from zhenxing.reports.services import rules_defaults_ensure


def seed(apps, schema_editor):
    rules_defaults_ensure(apps.get_model("reports", "FigureRule"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
