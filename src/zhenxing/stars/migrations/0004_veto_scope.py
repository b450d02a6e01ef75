"""A veto indicator says what it takes: ``star`` or ``branch`` (was a flag that always failed the
whole branch, so existing vetoes become ``branch``: nothing loaded changes meaning)."""

from django.db import migrations, models


def to_scope(apps, schema_editor):
    Indicator = apps.get_model("stars", "Indicator")
    Indicator.objects.filter(veto=True).update(veto_scope="branch")


def to_flag(apps, schema_editor):
    Indicator = apps.get_model("stars", "Indicator")
    Indicator.objects.exclude(veto_scope="").update(veto=True)


class Migration(migrations.Migration):
    dependencies = [("stars", "0003_results_keys_without_constraints")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="veto_scope",
            field=models.CharField(
                blank=True,
                choices=[("star", "否决本星"), ("branch", "整个支部当年不评星")],
                default="",
                max_length=6,
                verbose_name="一票否决",
            ),
        ),
        migrations.RunPython(to_scope, to_flag),
        migrations.RemoveField(model_name="indicator", name="veto"),
        migrations.RenameField(model_name="indicator", old_name="veto_scope", new_name="veto"),
    ]
