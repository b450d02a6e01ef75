"""Organisational life: recording meetings, refusals, corrections, and the compliance and
attendance metrics against a direct SQL computation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.meetings import Frequency, MeetingKind, MeetingRequirement, OrgMeeting
from zhenxing.ledgers.selectors.meetings import (
    branch_figures,
    meetings_attendance,
    meetings_compliance,
    units_in,
)
from zhenxing.ledgers.services.base import AlreadyCorrected
from zhenxing.ledgers.services.meetings import (
    meeting_defaults_ensure,
    org_meeting_correct,
    org_meeting_record,
)
from zhenxing.ledgers.tests.village_helpers import (
    branch_with_members,
    many_villages,
    sql,
)
from zhenxing.regions.models import PartyMember, Region

DAY = dt.date(2025, 3, 14)


@pytest.fixture
def kinds(db) -> dict[str, MeetingKind]:
    meeting_defaults_ensure()
    return {k.code: k for k in MeetingKind.objects.all()}


@pytest.fixture
def branch_a1(tree):
    return branch_with_members(tree.village_a1, 4)


def record(user, org, kind, day=DAY, attendees=(), topic="学习贯彻全会精神"):
    return org_meeting_record(
        scope=scope_for(user),
        organization=org,
        kind=kind,
        held_on=day,
        topic=topic,
        attendees=list(attendees),
        actor=user,
    )


def test_units_in_counts_whole_units_that_have_ended():
    year = Period.parse("2025")
    assert units_in(Frequency.MONTH, year, dt.date(2026, 1, 1)) == 12
    assert units_in(Frequency.QUARTER, year, dt.date(2025, 7, 15)) == 2
    assert units_in(Frequency.MONTH, year, dt.date(2025, 7, 15)) == 6
    assert units_in(Frequency.WEEK, Period.parse("2025-03"), dt.date(2026, 1, 1)) == 4
    assert units_in(Frequency.QUARTER, Period.parse("2025-03"), dt.date(2026, 1, 1)) == 0
    assert units_in(Frequency.HALF, Period.parse("2025Q2"), dt.date(2026, 1, 1)) == 0
    assert units_in(Frequency.YEAR, year, dt.date(2025, 12, 31)) == 1


def test_a_meeting_is_recorded_with_its_attendees(village_a1_user, branch_a1, kinds):
    org, members = branch_a1
    meeting = record(village_a1_user, org, kinds["committee"], attendees=members[:3])
    assert meeting.recorded_by == village_a1_user
    assert set(meeting.attendees.all()) == set(members[:3])


def test_an_attendee_from_another_branch_is_refused_by_name(
    tree, village_a1_user, branch_a1, kinds
):
    org, members = branch_a1
    _other_org, others = branch_with_members(tree.village_a2, 1, prefix="8")
    with pytest.raises(ValidationError) as exc:
        record(village_a1_user, org, kinds["committee"], attendees=[members[0], others[0]])
    message = exc.value.message_dict["attendees"][0]
    assert others[0].person.name in message and "不是" in message
    assert members[0].person.name not in message
    assert not OrgMeeting.objects.exists()


def test_a_meeting_dated_in_the_future_is_refused(village_a1_user, branch_a1, kinds):
    org, _members = branch_a1
    with pytest.raises(ValidationError) as exc:
        record(village_a1_user, org, kinds["committee"], day=timezone.localdate() + dt.timedelta(1))
    assert "不能晚于今天" in exc.value.message_dict["held_on"][0]


def test_another_township_cannot_record_for_the_branch(township_b_user, branch_a1, kinds):
    org, _members = branch_a1
    with pytest.raises(PermissionDenied):
        record(township_b_user, org, kinds["committee"])


def test_a_grid_member_only_reads(grid_member_a1, branch_a1, kinds):
    org, _members = branch_a1
    with pytest.raises(PermissionDenied):
        record(grid_member_a1, org, kinds["committee"])


def test_a_correction_keeps_the_original_and_its_author(
    village_a1_user, township_a_user, branch_a1, kinds
):
    org, members = branch_a1
    first = record(village_a1_user, org, kinds["committee"], attendees=members[:2])
    second = org_meeting_correct(
        scope=scope_for(township_a_user),
        meeting=first,
        actor=township_a_user,
        reason="漏记两名参会党员",
        attendees=members,
    )
    assert set(OrgMeeting.objects.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert list(OrgMeeting.objects.current()) == [second]
    first.refresh_from_db()
    assert first.recorded_by == village_a1_user and first.attendees.count() == 2
    assert second.recorded_by == township_a_user and second.reason == "漏记两名参会党员"
    assert second.supersedes == first and second.attendees.count() == 4
    with pytest.raises(AlreadyCorrected):
        org_meeting_correct(
            scope=scope_for(township_a_user), meeting=first, actor=township_a_user, reason="再改"
        )


def test_compliance_and_attendance_per_branch(village_a1_user, branch_a1, kinds):
    org, members = branch_a1  # 4 members
    MeetingRequirement.objects.exclude(kind__code__in=["committee", "assembly"]).delete()
    for month in (1, 2, 3, 4):
        record(village_a1_user, org, kinds["committee"], dt.date(2025, month, 10), members[:2])
    record(village_a1_user, org, kinds["assembly"], dt.date(2025, 2, 10), members)
    h1 = Period.parse("2025H1")
    figures = branch_figures([org.region_id], h1, as_of=dt.date(2025, 12, 31))[org.pk]
    # required: committee 6 (monthly), assembly 2 (quarterly); held 4 and 1
    assert (figures.required, figures.held, figures.met) == (8, 5, 5)
    assert figures.compliance == 62.5
    # attendance counts only the kinds every member is expected at: the assembly, 4 of 4
    assert figures.attendance == 100.0
    record(village_a1_user, org, kinds["assembly"], dt.date(2025, 5, 10), members[:1])
    figures = branch_figures([org.region_id], h1, as_of=dt.date(2025, 12, 31))[org.pk]
    assert figures.attendance == round(100 * (4 + 1) / (2 * 4), 1)


@pytest.mark.parametrize("n", [2, 200])
def test_the_metrics_match_sql_in_a_constant_number_of_queries(
    n, tree, county_user, kinds, django_assert_num_queries
):
    villages = many_villages(tree, n)
    org, members = branch_with_members(villages[0], 3)
    org2, members2 = branch_with_members(villages[-1], 2, prefix="7")
    user = county_user
    for month in range(1, 7):
        record(user, org, kinds["theme_day"], dt.date(2025, month, 1), members[: month % 3 + 1])
    record(user, org2, kinds["assembly"], dt.date(2025, 1, 5), members2)
    voided = record(user, org2, kinds["assembly"], dt.date(2025, 2, 5), members2)
    org_meeting_correct(
        scope=scope_for(user), meeting=voided, actor=user, reason="重复录入", voided=True
    )
    period = Period.parse("2025H1")
    ids = [v.pk for v in villages]
    with django_assert_num_queries(4):  # the village ids, requirements, branches, meetings
        compliance = meetings_compliance(
            Region.objects.filter(pk__in=ids), period, as_of=dt.date(2026, 1, 1)
        )
    with django_assert_num_queries(4):  # requirements, branches, meetings, attendees
        attendance = meetings_attendance(ids, period)
    assert set(compliance) == set(ids)

    # Direct SQL: held per (branch, kind) over current, not voided rows, capped by the required.
    required = {
        r.kind_id: r.count * units_in(r.per, period, dt.date(2026, 1, 1))
        for r in MeetingRequirement.objects.all()
    }
    held = sql(
        "SELECT o.region_id, e.kind_id, COUNT(*) FROM ledgers_orgmeeting e "
        "JOIN regions_partyorganization o ON o.id = e.organization_id "
        "WHERE e.held_on BETWEEN %s AND %s AND {current} "
        "GROUP BY o.region_id, e.kind_id",
        [period.start, period.end],
        table="ledgers_orgmeeting",
    )
    met: dict[int, int] = {}
    for region_id, kind_id, count in held:
        met[region_id] = met.get(region_id, 0) + min(count, required[kind_id])
    total_required = sum(required.values())
    for vid in ids:
        assert compliance[vid] == round(100 * met.get(vid, 0) / total_required, 1)
    slots = dict(
        sql(
            "SELECT o.region_id, COUNT(*) FROM ledgers_orgmeeting e "
            "JOIN ledgers_orgmeeting_attendees a ON a.orgmeeting_id = e.id "
            "JOIN regions_partyorganization o ON o.id = e.organization_id "
            "JOIN ledgers_meetingkind k ON k.id = e.kind_id "
            "WHERE e.held_on BETWEEN %s AND %s AND k.all_members = %s AND {current} "
            "GROUP BY o.region_id",
            [period.start, period.end, True],
            table="ledgers_orgmeeting",
        )
    )
    assert attendance[villages[0].pk] == round(100 * slots[villages[0].pk] / (6 * 3), 1)
    assert attendance[villages[-1].pk] == round(100 * slots[villages[-1].pk] / (1 * 2), 1)
    assert attendance[villages[1].pk] is None or n == 2  # a branch that held nothing
    assert compliance[villages[0].pk] > compliance[villages[1].pk] or n == 2
    assert PartyMember.objects.count() == 5
