"""The ledgers' reference data a new deployment starts with (the county edits all of it):
organisational-life kinds and their required frequencies, income sources and tiers, talent
categories, household rating schemes with their titles, and the member points rules."""

from decimal import Decimal

from django.db import migrations

from zhenxing.ledgers.services.income import DEFAULT_SOURCES, DEFAULT_TIERS
from zhenxing.ledgers.services.meetings import DEFAULT_KINDS
from zhenxing.ledgers.services.points import DEFAULT_RULES
from zhenxing.ledgers.services.ratings import DEFAULT_SCHEMES
from zhenxing.ledgers.services.talent import DEFAULT_CATEGORIES


def seed(apps, schema_editor):
    get = lambda name: apps.get_model("ledgers", name)  # noqa: E731
    for sort, (code, name, per, count, everyone) in enumerate(DEFAULT_KINDS, start=1):
        kind, _ = get("MeetingKind").objects.get_or_create(
            code=code, defaults={"name": name, "sort": sort, "all_members": everyone}
        )
        get("MeetingRequirement").objects.get_or_create(
            kind=kind, defaults={"per": per, "count": count}
        )
    for sort, name in enumerate(DEFAULT_SOURCES, start=1):
        get("IncomeSource").objects.get_or_create(name=name, defaults={"sort": sort})
    if not get("IncomeTier").objects.exists():
        get("IncomeTier").objects.bulk_create(
            get("IncomeTier")(name=name, min_wan=Decimal(floor)) for name, floor in DEFAULT_TIERS
        )
    for sort, name in enumerate(DEFAULT_CATEGORIES, start=1):
        get("TalentCategory").objects.get_or_create(name=name, defaults={"sort": sort})
    for sort, (name, cadence, rater, items, titles) in enumerate(DEFAULT_SCHEMES):
        scheme, created = get("RatingScheme").objects.get_or_create(
            name=name, defaults={"cadence": cadence, "rater": rater, "sort": sort}
        )
        if created:
            for i, (item, points) in enumerate(items):
                get("RatingItem").objects.create(scheme=scheme, name=item, max_points=points, sort=i)
            for title, minimum in titles:
                get("Title").objects.create(scheme=scheme, name=title, min_score=minimum)
    for sort, (name, points, cap, period, evidence) in enumerate(DEFAULT_RULES):
        get("PointsRule").objects.get_or_create(
            name=name,
            defaults={
                "points": points,
                "cap": cap,
                "cap_period": period,
                "evidence_required": evidence,
                "sort": sort,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
