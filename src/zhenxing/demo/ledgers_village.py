"""Demo data of ledgers 4–7 for every demo village: organisational life, collective income, the
三零 incidents, the talent pool and reserve cadres, from ``plan.data_start`` (1 January of the
finished star year) to the build day ``today``, nothing dated after it.

Each village and purpose draws from a stream of its own (``plan.stream("meetings", code, …,
year)``, "income", "incidents", "talent"), so one village's date-dependent draws never shift
another's. What a star reads holds by construction, per calendar year as far as it has run, exactly
where ``plan.meets`` says so:

- ``meetings_compliance``: of the required slots (the units that have ended by ``today``), a dealt
  share is skipped, at most 5 % (95 % or more) or 20–40 % (80 % or less); never more than a kind
  requires. Attendance follows ``plan.strength``.
- ``collective_income``: every year's income, the year under way recorded to date; 20.5万 or more
  where met (in 裴岗镇 20.5万–48万, four of those villages 50万–120万, the seed 000 shape), under
  19.5万 where missed (裴岗镇 5万–19.5万).
- ``three_zeros``: a missed year has one to three incidents by ``today``; a met one none.

The talent pool and reserve cadres follow ``plan.strength``. The reference data (meeting kinds and
frequencies, income sources and tiers, talent categories) is seeded first; rows are written with
``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from zhenxing.demo.plan import DemoPlan, stream
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource
from zhenxing.ledgers.models.meetings import MeetingRequirement, OrgMeeting
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.selectors.meetings import BRANCH_KINDS, first_unit, next_unit
from zhenxing.ledgers.services.income import income_defaults_ensure
from zhenxing.ledgers.services.meetings import meeting_defaults_ensure
from zhenxing.ledgers.services.talent import talent_defaults_ensure
from zhenxing.regions.models import (
    VILLAGE_LEVELS,
    CadrePost,
    Level,
    MemberStatus,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
)

BATCH = 2000
TOP_A = 4  # 裴岗镇 (seed 000): 4 villages at 50万 or more, of those at 20万 or more
# How many attend, as a share of the branch (or a fixed small group), per kind code.
WHOLE_BRANCH = {"assembly", "theme_day", "lecture"}
SMALL_GROUP = {"committee": (5, 7), "group": (6, 12), "micro_lesson": (5, 12)}
TOPICS = {
    "committee": ("研究本月重点工作", "讨论发展党员事项", "研究集体经济项目", "部署人居环境整治"),
    "assembly": ("通报支部工作", "民主评议党员", "讨论村级重大事项", "选举党代表"),
    "group": ("学习党章党规", "交流联户走访情况", "讨论网格服务事项"),
    "lecture": ("书记讲党课：党建引领乡村振兴", "学习习近平新时代中国特色社会主义思想", "廉政党课"),
    "theme_day": ("重温入党誓词", "志愿服务进网格", "学习先进典型", "环境整治义务劳动"),
    "micro_lesson": (
        "微党课：身边的好党员",
        "微党课：一句话承诺",
        "微党课：红色故事",
        "微党课：政策解读",
    ),
}
INCIDENTS = {
    IncidentKind.PETITION: ("宅基地纠纷未在镇内化解，当事人赴市上访", "征地补偿问题群众越级上访"),
    IncidentKind.ACCIDENT: (
        "农用三轮车侧翻，一人受伤",
        "民房施工坠落，一人受伤",
        "村道交通事故致人受伤",
    ),
    IncidentKind.CRIMINAL: ("盗窃村集体变压器铜线", "邻里纠纷引发故意伤害", "电信诈骗案件"),
}
SOURCES = ("资产租赁", "土地流转", "入股分红", "经营服务", "光伏收益", "项目收益")
ASSIGNMENTS = ("村委会主任助理", "村党支部书记助理", "网格长", "村务监督委员", "集体经济合作社理事")
STRENGTHS = {
    "返乡创业人员": "返乡创办农产品加工厂，带动就业",
    "致富带头人": "种植大户，流转土地发展特色种植",
    "农业技术人员": "熟悉果蔬病虫害防治，常年义务指导",
    "乡贤": "退休教师，热心调解邻里纠纷",
    "高校毕业生": "大学毕业返乡，负责电商直播",
    "退役军人": "退役后组建应急志愿服务队",
    "能工巧匠": "传统编织手艺人，带徒授艺",
}


def build_ledgers_village(
    *,
    county: Region,
    today: dt.date,
    accounts: dict[str, int],
    demo_village: Region,
    plan: DemoPlan,
) -> dict[str, int]:
    meeting_defaults_ensure()
    income_defaults_ensure()
    talent_defaults_ensure()
    return _Builder(county, today, accounts, demo_village, plan).build()


def delete_ledgers_village() -> None:
    """Empty the tables of ledgers 4–7 (for ``reset_demo``), each with one plain DELETE; the
    reference data (kinds, sources, tiers, categories) stays."""
    with transaction.atomic():
        for model in (
            OrgMeeting.attendees.through,
            OrgMeeting.photos.through,
            OrgMeeting,
            IncomeEntry,
            Incident,
            Talent,
            ReserveCadre,
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's own table name


class _Builder:
    def __init__(
        self,
        county: Region,
        today: dt.date,
        accounts: dict[str, int],
        demo_village: Region,
        plan: DemoPlan,
    ) -> None:
        self.plan = plan
        self.today = today
        self.start = plan.data_start
        self.years = range(plan.data_start.year, today.year + 1)
        self.county = county
        self.demo_village = demo_village
        self.accounts = accounts
        self.villages = list(
            Region.objects.filter(path__startswith=county.path, level__in=VILLAGE_LEVELS).order_by(
                "path"
            )
        )
        townships = {
            t.path: t
            for t in Region.objects.filter(path__startswith=county.path, level=Level.TOWNSHIP)
        }
        self.township_of = {
            v.pk: next(t for p, t in townships.items() if v.path.startswith(p))
            for v in self.villages
        }

    def _recorder(self, village: Region) -> int:
        if village.pk == self.demo_village.pk and "village" in self.accounts:
            return self.accounts["village"]
        township = self.township_of[village.pk]
        if "township" in self.accounts and self.demo_village.path.startswith(township.path):
            return self.accounts["township"]
        return self.accounts["county"]

    @staticmethod
    def _at(rng: random.Random, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(18, rng.randint(0, 59)))
        return timezone.make_aware(moment)

    def _day_in(self, rng: random.Random, year: int) -> dt.date:
        """A day of ``year`` the data has reached (1 January to 31 December, or ``today``)."""
        first = dt.date(year, 1, 1)
        return first + dt.timedelta(days=rng.randrange((self.plan.year_end(year) - first).days + 1))

    def build(self) -> dict[str, int]:
        return {
            "org_meetings": self._meetings(),
            "income_entries": self._income(),
            "incidents": self._incidents(),
            **self._talent(),
        }

    # --- organisational life ----------------------------------------------------------------

    def _meetings(self) -> int:
        requirements = list(
            MeetingRequirement.objects.select_related("kind").order_by("kind__sort")
        )
        branches = list(
            PartyOrganization.objects.filter(
                region__in=[v.pk for v in self.villages], kind__in=BRANCH_KINDS
            )
            .select_related("region")
            .order_by("region__path")
        )
        members: dict[int, list[int]] = {}
        for org_id, pk in (
            PartyMember.objects.filter(organization__in=branches, status=MemberStatus.ACTIVE)
            .order_by("pk")
            .values_list("organization_id", "pk")
        ):
            members.setdefault(org_id, []).append(pk)
        meetings: list[OrgMeeting] = []
        attendees: list[list[int]] = []
        for org in branches:
            code = org.region.code
            pool = members.get(org.pk, [])
            recorder = self._recorder(org.region)
            for year in self.years:
                rng = stream("meetings", code, org.name, year)
                strength = self.plan.strength(code, year)
                for r, held in self._held(rng, requirements, code, year):
                    kind = r.kind.code
                    if kind in WHOLE_BRANCH:
                        k = round(len(pool) * min(1.0, strength * rng.uniform(0.8, 1.05)))
                    else:
                        k = rng.randint(*SMALL_GROUP.get(kind, (5, 10)))
                    k = min(k, len(pool))
                    meetings.append(
                        OrgMeeting(
                            organization=org,
                            kind=r.kind,
                            held_on=held,
                            topic=rng.choice(TOPICS.get(kind, ("学习会",))),
                            minutes="",
                            recorded_by_id=recorder,
                            recorded_at=self._at(rng, held),
                        )
                    )
                    attendees.append(rng.sample(pool, k) if k else [])
        OrgMeeting.objects.bulk_create(meetings, batch_size=BATCH)
        through = OrgMeeting.attendees.through
        links = [
            through(orgmeeting_id=m.pk, partymember_id=pk)
            for m, people in zip(meetings, attendees, strict=True)
            for pk in people
        ]
        through.objects.bulk_create(links, batch_size=BATCH * 5)
        return len(meetings)

    def _held(
        self, rng: random.Random, requirements: list[MeetingRequirement], code: str, year: int
    ) -> list[tuple[MeetingRequirement, dt.date]]:
        """The meetings a branch held in ``year``, as (requirement, day).

        The required slots are the units of the year that have ended by ``today`` (what
        ``meetings_compliance`` counts); a dealt number of them is skipped: at most 5 % where the
        plan meets the metric (95 % or more), 20–40 % where it misses it (80 % or less). Held
        meetings never exceed a kind's requirement, so compliance is exactly held ÷ required. A
        branch that meets it also holds the meetings of a unit still under way, up to today.
        """
        end = self.plan.year_end(year)
        slots: list[tuple[MeetingRequirement, dt.date, dt.date]] = []
        running: list[tuple[MeetingRequirement, dt.date, dt.date]] = []
        for r in requirements:
            start = first_unit(r.per, dt.date(year, 1, 1))
            while start <= end:
                after = next_unit(r.per, start)
                unit = (r, start, after)
                if after - dt.timedelta(days=1) <= end:
                    slots += [unit] * r.count
                elif after.year == year or after == dt.date(year + 1, 1, 1):
                    running += [unit] * r.count
                start = after
        meets = self.plan.meets(code, "meetings_compliance", year)
        share = rng.uniform(0, 0.05) if meets else rng.uniform(0.2, 0.4)
        skip = int(len(slots) * share) if meets else math.ceil(len(slots) * share)
        skipped = set(rng.sample(range(len(slots)), skip))
        held = [slot for i, slot in enumerate(slots) if i not in skipped]
        if meets:
            held += running
        out = []
        for r, start, after in held:
            day = start + dt.timedelta(days=rng.randrange(min((after - start).days, 28)))
            if day <= self.today:
                out.append((r, day))
        return out

    # --- collective income ------------------------------------------------------------------

    def _bands(self, year: int) -> dict[int, tuple[float, float]]:
        """Each village's income band in ``year`` (万元): under 20万 where the plan misses
        ``collective_income``, 20万 or more where it meets it; in 裴岗镇 four of the villages that
        meet it (dealt per year) reach 50万–120万, the others 20.5万–48万."""
        township_a = self.township_of[self.demo_village.pk]
        bands: dict[int, tuple[float, float]] = {}
        met_a: list[Region] = []
        for v in self.villages:
            meets = self.plan.meets(v.code, "collective_income", year)
            if self.township_of[v.pk].pk == township_a.pk:
                if meets:
                    met_a.append(v)
                bands[v.pk] = (20.5, 48) if meets else (5, 19.5)
            else:
                bands[v.pk] = (20.5, 80) if meets else (3, 19.5)
        stream("income-top", township_a.code, year).shuffle(met_a)
        for v in met_a[:TOP_A]:
            bands[v.pk] = (50, 120)
        return bands

    def _income(self) -> int:
        sources = {s.name: s for s in IncomeSource.objects.all()}
        rows: list[IncomeEntry] = []
        # Every year of the data: the years ended (recorded in the January after) and the one
        # under way, recorded to date.
        for year in self.years:
            bands = self._bands(year)
            for v in self.villages:
                rng = stream("income", v.code, year)
                low, high = bands[v.pk]
                total = Decimal(rng.uniform(low, high) * 10_000).quantize(Decimal("100"))
                names = rng.sample(SOURCES, rng.randint(1, 3 if total < 100_000 else 4))
                weights = [rng.uniform(1, 3) for _ in names]
                left = total
                for i, name in enumerate(names):
                    part = (
                        left
                        if i == len(names) - 1
                        else (total * Decimal(weights[i] / sum(weights))).quantize(Decimal("100"))
                    )
                    left -= part
                    if year < self.today.year:
                        day = min(dt.date(year + 1, 1, rng.randint(5, 25)), self.today)
                    else:
                        day = self._day_in(rng, year)
                    rows.append(
                        IncomeEntry(
                            village=v,
                            year=year,
                            source=sources[name],
                            amount=part,
                            note="",
                            recorded_by_id=self._recorder(v),
                            recorded_at=self._at(rng, day),
                        )
                    )
        IncomeEntry.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- 三零 -----------------------------------------------------------------------------

    def _incidents(self) -> int:
        rows: list[Incident] = []
        kinds = (
            [IncidentKind.PETITION] * 5 + [IncidentKind.ACCIDENT] * 3 + [IncidentKind.CRIMINAL] * 2
        )
        for year in self.years:
            for v in self.villages:
                if self.plan.meets(v.code, "three_zeros", year):
                    continue  # 三零: nothing that year
                rng = stream("incidents", v.code, year)
                for _i in range(rng.choice((1, 1, 1, 2, 3))):
                    kind = rng.choice(kinds)
                    day = self._day_in(rng, year)
                    rows.append(
                        Incident(
                            village=v,
                            kind=kind,
                            occurred_on=day,
                            summary=rng.choice(INCIDENTS[kind]),
                            injuries=1 if kind == IncidentKind.ACCIDENT else 0,
                            recorded_by_id=self._recorder(v),
                            recorded_at=self._at(rng, min(day + dt.timedelta(days=2), self.today)),
                        )
                    )
        Incident.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- talent and reserve cadres ------------------------------------------------------------

    def _talent(self) -> dict[str, int]:
        categories = list(TalentCategory.objects.order_by("sort"))
        weights = [4, 3, 3, 2, 3, 2, 1][: len(categories)]
        ids = [v.pk for v in self.villages]
        young = years_before(self.today, 60)
        old = years_before(self.today, 22)
        span = (self.today - self.start).days + 1
        people: dict[int, list[int]] = {}
        for region_id, pk in (
            Resident.objects.filter(region__in=ids, birth_date__gte=young, birth_date__lte=old)
            .order_by("pk")
            .values_list("region_id", "pk")
        ):
            people.setdefault(region_id, []).append(pk)
        secretaries = dict(
            CadrePost.objects.filter(region__in=ids, post=Post.SECRETARY)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.today))
            .values_list("region_id", "person_id")
        )
        talents: list[Talent] = []
        reserve: list[ReserveCadre] = []
        for v in self.villages:
            s = self.plan.strength(v.code, self.plan.current)
            rng = stream("talent", v.code)
            pool = people.get(v.pk, [])
            if not pool:
                continue
            n = min(len(pool), round(3 + 12 * s * rng.uniform(0.7, 1.1)))
            for pk in rng.sample(pool, n):
                category = rng.choices(categories, weights=weights)[0]
                since = self.start + dt.timedelta(days=rng.randrange(span))
                talents.append(
                    Talent(
                        village=v,
                        person_id=pk,
                        category=category,
                        since=since,
                        strengths=STRENGTHS.get(category.name, ""),
                        recorded_by_id=self._recorder(v),
                        recorded_at=self._at(rng, since),
                    )
                )
            mentor = secretaries.get(v.pk)
            if mentor is None:
                continue
            k = 3 if s > 0.85 else (2 if s > 0.65 else rng.randint(0, 1))
            for pk in rng.sample([p for p in pool if p != mentor], min(k, len(pool) - 1)):
                since = self.start + dt.timedelta(days=rng.randrange(min(span, 300)))
                reserve.append(
                    ReserveCadre(
                        village=v,
                        person_id=pk,
                        mentor_id=mentor,
                        assignment=rng.choice(ASSIGNMENTS),
                        since=since,
                        recorded_by_id=self._recorder(v),
                        recorded_at=self._at(rng, since),
                    )
                )
        Talent.objects.bulk_create(talents, batch_size=BATCH)
        ReserveCadre.objects.bulk_create(reserve, batch_size=BATCH)
        return {"talents": len(talents), "reserve_cadres": len(reserve)}


def years_before(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` years earlier (28 February for a 29 February without its twin)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
