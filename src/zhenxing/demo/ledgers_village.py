"""Demo data of ledgers 4–7: a year of organisational life, two years of collective income, the
三零 incidents of the past year, the talent pool and reserve cadres, for every demo village.

Each village gets a strength (0–1) from one seeded ``random.Random``: strong villages hold nearly
every required meeting with most members present, earn 20万–120万 a year and have no incidents;
lagging ones miss meetings, earn under 5万–10万 and have a petition or an accident. 裴岗镇 gets the
shape seed 000 reports (13 villages at 20万 or more, 4 of them at 50万 or more). The reference data
(meeting kinds and frequencies, income sources and tiers, talent categories) is seeded first.
Rows are written with ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from zhenxing.core.periods import Period
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
# 裴岗镇 (seed 000): of 24 villages, 4 at 50万 or more and 9 more at 20万 or more.
TOWNSHIP_A_BANDS = [(50, 120)] * 4 + [(20, 48)] * 9 + [(10, 19)] * 7 + [(5, 9.5)] * 4
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
    *, county: Region, today: dt.date, accounts: dict[str, int], demo_village: Region, seed: int
) -> dict[str, int]:
    meeting_defaults_ensure()
    income_defaults_ensure()
    talent_defaults_ensure()
    return _Builder(county, today, accounts, demo_village, seed).build()


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
        seed: int,
    ) -> None:
        self.rng = random.Random(seed + 704)  # noqa: S311 - demo data
        self.today = today
        self.start = today - dt.timedelta(days=364)
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
        self.strength = self._strengths()

    def _strengths(self) -> dict[int, float]:
        rng = self.rng
        out = {}
        for v in self.villages:
            roll = rng.random()
            if roll < 0.2:
                out[v.pk] = rng.uniform(0.35, 0.55)  # lagging
            elif roll < 0.45:
                out[v.pk] = rng.uniform(0.9, 1.0)  # strong
            else:
                out[v.pk] = rng.uniform(0.65, 0.88)
        out[self.demo_village.pk] = 0.86
        return out

    def _recorder(self, village: Region) -> int:
        if village.pk == self.demo_village.pk and "village" in self.accounts:
            return self.accounts["village"]
        township = self.township_of[village.pk]
        if "township" in self.accounts and self.demo_village.path.startswith(township.path):
            return self.accounts["township"]
        return self.accounts["county"]

    def _at(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(18, self.rng.randint(0, 59)))
        return timezone.make_aware(moment)

    def build(self) -> dict[str, int]:
        return {
            "org_meetings": self._meetings(),
            "income_entries": self._income(),
            "incidents": self._incidents(),
            **self._talent(),
        }

    # --- organisational life ----------------------------------------------------------------

    def _meetings(self) -> int:
        rng = self.rng
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
        window = Period(self.start, self.today, "window")
        for org in branches:
            strength = self.strength[org.region_id]
            pool = members.get(org.pk, [])
            recorder = self._recorder(org.region)
            for r in requirements:
                code = r.kind.code
                start = first_unit(r.per, window.start)
                while (after := next_unit(r.per, start)) - dt.timedelta(days=1) <= self.today:
                    for _n in range(r.count):
                        if rng.random() > strength:
                            continue
                        span = (after - start).days
                        held = start + dt.timedelta(days=rng.randrange(min(span, 28)))
                        held = min(held, self.today)
                        if code in WHOLE_BRANCH:
                            share = min(1.0, strength * rng.uniform(0.8, 1.05))
                            k = round(len(pool) * share)
                        else:
                            low, high = SMALL_GROUP.get(code, (5, 10))
                            k = rng.randint(low, high)
                        k = min(k, len(pool))
                        meetings.append(
                            OrgMeeting(
                                organization=org,
                                kind=r.kind,
                                held_on=held,
                                topic=rng.choice(TOPICS.get(code, ("学习会",))),
                                minutes="",
                                recorded_by_id=recorder,
                                recorded_at=self._at(held),
                            )
                        )
                        attendees.append(rng.sample(pool, k) if k else [])
                    start = after
        OrgMeeting.objects.bulk_create(meetings, batch_size=BATCH)
        through = OrgMeeting.attendees.through
        links = [
            through(orgmeeting_id=m.pk, partymember_id=pk)
            for m, people in zip(meetings, attendees, strict=True)
            for pk in people
        ]
        through.objects.bulk_create(links, batch_size=BATCH * 5)
        return len(meetings)

    # --- collective income ------------------------------------------------------------------

    def _income(self) -> int:
        rng = self.rng
        sources = {s.name: s for s in IncomeSource.objects.all()}
        township_a = self.township_of[self.demo_village.pk]
        a_villages = [v for v in self.villages if self.township_of[v.pk].pk == township_a.pk]
        # 裴岗镇's bands go to its villages strongest first, so strength and income agree.
        bands = dict(
            zip(
                [v.pk for v in sorted(a_villages, key=lambda v: -self.strength[v.pk])],
                TOWNSHIP_A_BANDS,
                strict=False,
            )
        )
        rows: list[IncomeEntry] = []
        # Two closed years and the current one so far (what the year's star evaluation reads).
        growths = {self.today.year - 2: 0.85, self.today.year - 1: 1.0, self.today.year: 0.95}
        for year, growth in growths.items():
            for v in self.villages:
                s = self.strength[v.pk]
                if v.pk in bands:
                    low, high = bands[v.pk]
                elif s < 0.56:
                    low, high = 2, 6
                elif s > 0.9:
                    low, high = 20, 80
                else:
                    low, high = 5, 25
                total = Decimal(rng.uniform(low, high) * 10_000 * growth).quantize(Decimal("100"))
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
                    rows.append(
                        IncomeEntry(
                            village=v,
                            year=year,
                            source=sources[name],
                            amount=part,
                            note="",
                            recorded_by_id=self._recorder(v),
                            recorded_at=self._at(
                                min(dt.date(year + 1, 1, rng.randint(5, 25)), self.today)
                            ),
                        )
                    )
        IncomeEntry.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- 三零 -----------------------------------------------------------------------------

    def _incidents(self) -> int:
        rng = self.rng
        rows: list[Incident] = []
        kinds = (
            [IncidentKind.PETITION] * 5 + [IncidentKind.ACCIDENT] * 3 + [IncidentKind.CRIMINAL] * 2
        )
        for v in self.villages:
            s = self.strength[v.pk]
            if s < 0.56:
                n = rng.choice((0, 1, 1, 2, 3))
            elif s < 0.8:
                n = 1 if rng.random() < 0.12 else 0
            else:
                n = 0
            for _i in range(n):
                kind = rng.choice(kinds)
                day = self.start + dt.timedelta(days=rng.randrange(365))
                rows.append(
                    Incident(
                        village=v,
                        kind=kind,
                        occurred_on=day,
                        summary=rng.choice(INCIDENTS[kind]),
                        injuries=1 if kind == IncidentKind.ACCIDENT else 0,
                        recorded_by_id=self._recorder(v),
                        recorded_at=self._at(min(day + dt.timedelta(days=2), self.today)),
                    )
                )
        Incident.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    # --- talent and reserve cadres ------------------------------------------------------------

    def _talent(self) -> dict[str, int]:
        rng = self.rng
        categories = list(TalentCategory.objects.order_by("sort"))
        weights = [4, 3, 3, 2, 3, 2, 1][: len(categories)]
        ids = [v.pk for v in self.villages]
        young = self.today.replace(year=self.today.year - 60)
        old = self.today.replace(year=self.today.year - 22)
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
            s = self.strength[v.pk]
            pool = people.get(v.pk, [])
            if not pool:
                continue
            n = min(len(pool), round(3 + 12 * s * rng.uniform(0.7, 1.1)))
            chosen = rng.sample(pool, n)
            for pk in chosen:
                category = rng.choices(categories, weights=weights)[0]
                since = self.start - dt.timedelta(days=rng.randrange(0, 900))
                talents.append(
                    Talent(
                        village=v,
                        person_id=pk,
                        category=category,
                        since=since,
                        strengths=STRENGTHS.get(category.name, ""),
                        recorded_by_id=self._recorder(v),
                        recorded_at=self._at(since),
                    )
                )
            mentor = secretaries.get(v.pk)
            if mentor is None:
                continue
            k = 3 if s > 0.9 else (2 if s > 0.7 else rng.randint(0, 1))
            for pk in rng.sample([p for p in pool if p != mentor], min(k, len(pool) - 1)):
                since = self.start + dt.timedelta(days=rng.randrange(0, 300))
                reserve.append(
                    ReserveCadre(
                        village=v,
                        person_id=pk,
                        mentor_id=mentor,
                        assignment=rng.choice(ASSIGNMENTS),
                        since=since,
                        recorded_by_id=self._recorder(v),
                        recorded_at=self._at(since),
                    )
                )
        Talent.objects.bulk_create(talents, batch_size=BATCH)
        ReserveCadre.objects.bulk_create(reserve, batch_size=BATCH)
        return {"talents": len(talents), "reserve_cadres": len(reserve)}
