"""Default request categories with time limits in working days. They are data: the county edits
them on the 诉求类别 page. The limits are common practice, not a confirmed rule (domain.md §10.13)."""

from django.db import migrations

DEFAULTS = [
    # name, time limit, response limit, dispute
    ("政策咨询", 3, 1, False),
    ("生活困难求助", 3, 1, False),
    ("社会保障", 5, 1, False),
    ("农技指导", 5, 1, False),
    ("就业创业", 5, 1, False),
    ("环境卫生", 3, 1, False),
    ("基础设施", 10, 2, False),
    ("矛盾纠纷", 10, 1, True),
    ("其他", 5, 1, False),
]


def add(apps, schema_editor):
    Category = apps.get_model("orders", "Category")
    for sort, (name, limit, response, dispute) in enumerate(DEFAULTS):
        Category.objects.get_or_create(
            name=name,
            defaults={
                "time_limit_days": limit,
                "response_days": response,
                "is_dispute": dispute,
                "sort": sort,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
