"""Incidents and the derived 三零 status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.selectors.incidents import three_zeros
from zhenxing.ledgers.services.incidents import incident_correct, incident_record
from zhenxing.ledgers.tests.village_helpers import many_villages, sql
from zhenxing.regions.models import Region


def add(user, village, kind, day=dt.date(2025, 5, 1), **kw):
    return incident_record(
        scope=scope_for(user),
        village=village,
        kind=kind,
        occurred_on=day,
        summary=kw.pop("summary", "村民因宅基地纠纷赴市上访"),
        actor=user,
        **kw,
    )


def test_an_accident_without_casualties_is_refused(tree, village_a1_user):
    with pytest.raises(ValidationError) as exc:
        add(village_a1_user, tree.village_a1, IncidentKind.ACCIDENT)
    assert "伤亡" in exc.value.message_dict["injuries"][0]
    assert not Incident.objects.exists()


def test_a_future_date_is_refused(tree, village_a1_user):
    with pytest.raises(ValidationError) as exc:
        add(
            village_a1_user,
            tree.village_a1,
            IncidentKind.PETITION,
            timezone.localdate() + dt.timedelta(2),
        )
    assert "不能晚于今天" in exc.value.message_dict["occurred_on"][0]


def test_the_status_is_derived_and_a_voided_incident_no_longer_counts(
    tree, village_a1_user, township_a_user
):
    year = Period.parse("2025")
    assert three_zeros([tree.village_a1], year)[tree.village_a1.pk].ok
    petition = add(village_a1_user, tree.village_a1, IncidentKind.PETITION)
    add(village_a1_user, tree.village_a1, IncidentKind.ACCIDENT, injuries=2, summary="农用车侧翻")
    status = three_zeros([tree.village_a1, tree.village_a2], year)
    assert (status[tree.village_a1.pk].petitions, status[tree.village_a1.pk].accidents) == (1, 1)
    assert not status[tree.village_a1.pk].ok and status[tree.village_a2.pk].ok
    assert three_zeros([tree.village_a1], Period.parse("2025Q1"))[tree.village_a1.pk].ok
    incident_correct(
        scope=scope_for(township_a_user),
        incident=petition,
        actor=township_a_user,
        reason="经核实系正常信访，未越级",
        voided=True,
    )
    status = three_zeros([tree.village_a1], year)[tree.village_a1.pk]
    assert status.petitions == 0 and status.accidents == 1
    assert Incident.objects.count() == 3  # the original, its voiding correction, the accident


@pytest.mark.parametrize("n", [2, 200])
def test_three_zeros_matches_sql_in_a_constant_number_of_queries(
    n, tree, county_user, django_assert_num_queries
):
    villages = many_villages(tree, n)
    kinds = list(IncidentKind)
    for i, village in enumerate(villages[::7]):
        add(county_user, village, kinds[i % 3], injuries=1, day=dt.date(2025, 1 + i % 12, 3))
    period = Period.parse("2025H1")
    with django_assert_num_queries(2):
        status = three_zeros(Region.objects.filter(pk__in=[v.pk for v in villages]), period)
    direct = {
        (vid, kind): count
        for vid, kind, count in sql(
            "SELECT village_id, kind, COUNT(*) FROM ledgers_incident e "
            "WHERE occurred_on BETWEEN %s AND %s AND {current} GROUP BY village_id, kind",
            [period.start, period.end],
            table="ledgers_incident",
        )
    }
    for v in villages:
        s = status[v.pk]
        assert s.petitions == direct.get((v.pk, "petition"), 0)
        assert s.accidents == direct.get((v.pk, "accident"), 0)
        assert s.criminal_cases == direct.get((v.pk, "criminal"), 0)
        assert s.ok == (not any(direct.get((v.pk, k), 0) for k in IncidentKind.values))
    assert not status[villages[0].pk].ok
