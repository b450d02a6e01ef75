"""A year of ledgers 1–3 for every demo village: the 三色账, household ratings, member points and
pledges, with real variety — each village gets a strength (about a fifth clearly strong, a fifth
clearly lagging) that drives how many good deeds it records, how its households score, and how its
members' points and pledges go. The demo village (the village account's) is a strong one.

Everything is drawn from one ``random.Random`` seeded from the build's seed; rows are written with
``bulk_create`` (each ledger row is an original entry; a few black entries carry their 黄账 marking
as a correction row, so the demo shows history).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhenxing.core.periods import Period
from zhenxing.ledgers.models.books import BookEntry, Colour
from zhenxing.ledgers.models.points import Pledge, PledgeStatus, PointsEntry
from zhenxing.ledgers.models.ratings import Cadence, HouseholdRating
from zhenxing.ledgers.services.points import cap_period, ensure_points_defaults
from zhenxing.ledgers.services.ratings import ensure_rating_defaults
from zhenxing.regions.models import (
    VILLAGE_LEVELS,
    Household,
    Level,
    MemberStatus,
    PartyMember,
    Region,
)

BATCH = 2000
RATED_HOUSEHOLDS = {Cadence.MONTH: 8, Cadence.QUARTER: 12, Cadence.HALF: 8}

RED = (
    ("拾金不昧", "在村口拾到钱包，原物交还失主"),
    ("义务清扫", "连续一个月义务清扫村内主干道"),
    ("孝老爱亲", "常年照顾瘫痪在床的婆婆，邻里称赞"),
    ("助人为乐", "帮助独居老人抢收小麦"),
    ("捐资助学", "为村小学捐赠图书和文具"),
    ("见义勇为", "协助扑灭邻居家柴草火情"),
    ("带头致富", "牵头成立合作社，带动十余户增收"),
    ("移风易俗", "子女婚事简办，不收彩礼"),
)
BLACK = (
    ("乱堆乱放", "柴草杂物堆放在公共道路旁，经劝导未清理"),
    ("私搭乱建", "未经审批在宅基地外搭建棚舍"),
    ("邻里纠纷", "因地界问题与邻居争吵，影响邻里和睦"),
    ("焚烧秸秆", "在田间焚烧秸秆，被网格员发现制止"),
    ("大操大办", "办酒席超出村规民约规定的桌数"),
)
BLUE = (
    ("村两委会议", "召开村两委会议，研究村集体经济发展项目"),
    ("道路硬化", "村内主干道硬化工程开工"),
    ("村民代表大会", "召开村民代表大会，表决通过村规民约修订"),
    ("产业项目", "引进食用菌种植项目落地"),
    ("防汛演练", "组织开展防汛应急演练"),
    ("文艺汇演", "举办迎新春文艺汇演"),
)
PLEDGES = (
    "每月走访联系户不少于两次",
    "带头做好门前三包",
    "帮助一户困难群众解决实际问题",
    "年内带动两户发展庭院经济",
    "按时参加组织生活不缺席",
    "义务为村民代办事项十件",
    "带头移风易俗，红白事简办",
)


def build_ledgers_people(
    *, county: Region, today: dt.date, accounts: dict[str, int], demo_village: Region, seed: int
) -> dict[str, int]:
    return _Builder(county, today, accounts, demo_village, seed).build()


class _Builder:
    def __init__(
        self,
        county: Region,
        today: dt.date,
        accounts: dict[str, int],
        demo_village: Region,
        seed: int,
    ) -> None:
        self.rng = random.Random(seed + 501)  # noqa: S311 - demo data
        self.today = today
        self.start = today - dt.timedelta(days=364)
        self.county = county
        self.demo_village = demo_village
        self.accounts = accounts
        village_path = Region.objects.get(pk=demo_village.pk).path
        self.township_a_path = next(
            (
                t.path
                for t in Region.objects.filter(level=Level.TOWNSHIP)
                if village_path.startswith(t.path)
            ),
            "~",
        )
        self.villages = list(
            Region.objects.filter(path__startswith=county.path, level__in=VILLAGE_LEVELS).order_by(
                "path"
            )
        )
        self.strength = self._strengths()

    def _strengths(self) -> dict[int, float]:
        """About a fifth strong (0.8–1), a fifth lagging (0.05–0.3), the rest in between."""
        out = {}
        bands = [(0.8, 1.0)] * 2 + [(0.35, 0.75)] * 6 + [(0.05, 0.3)] * 2
        for v in self.villages:
            low, high = self.rng.choice(bands)
            out[v.pk] = self.rng.uniform(low, high)
        out[self.demo_village.pk] = 0.9
        return out

    def _author(self, village: Region) -> int:
        if village.pk == self.demo_village.pk:
            return self.accounts["village"]
        if village.path.startswith(self.township_a_path):
            return self.accounts["township"]
        return self.accounts["county"]

    def _day(self) -> dt.date:
        return self.start + dt.timedelta(
            days=self.rng.randrange((self.today - self.start).days + 1)
        )

    def _at(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(
            day, dt.time(9 + self.rng.randrange(9), self.rng.randrange(60))
        )
        return timezone.make_aware(moment)

    def build(self) -> dict[str, int]:
        schemes = ensure_rating_defaults()
        rules = ensure_points_defaults()
        households: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
        for pk, village_id, head in Household.objects.filter(
            village__in=[v.pk for v in self.villages]
        ).values_list("pk", "village_id", "head_name"):
            households[village_id].append((pk, head))
        members: dict[int, list[int]] = defaultdict(list)
        for pk, village_id in PartyMember.objects.filter(
            status=MemberStatus.ACTIVE, organization__region__in=[v.pk for v in self.villages]
        ).values_list("pk", "organization__region_id"):
            members[village_id].append(pk)
        counts = {"book_entries": 0, "ratings": 0, "points_entries": 0, "pledges": 0}
        for village in self.villages:
            s = self.strength[village.pk]
            counts["book_entries"] += self._books(village, s, households[village.pk])
            counts["ratings"] += self._ratings(village, s, households[village.pk], schemes)
            counts["points_entries"] += self._points(village, s, members[village.pk], rules)
            counts["pledges"] += self._pledges(village, s, members[village.pk])
        self._flush(force=True)
        return counts

    # --- writing ------------------------------------------------------------------------------

    pending: dict[type, list[Any]]

    def _queue(self, row: Any) -> None:
        if not hasattr(self, "pending"):
            self.pending = defaultdict(list)
        self.pending[type(row)].append(row)
        if len(self.pending[type(row)]) >= BATCH:
            self._flush()

    def _flush(self, force: bool = False) -> None:
        for model, rows in getattr(self, "pending", {}).items():
            if rows and (force or len(rows) >= BATCH):
                model.objects.bulk_create(rows, batch_size=BATCH)
                rows.clear()

    # --- the ledgers --------------------------------------------------------------------------

    def _books(self, village: Region, s: float, hh: list[tuple[int, str]]) -> int:
        rng, author = self.rng, self._author(village)
        delay = dt.timedelta(days=settings.LEDGERS_BOOK_PUBLISH_DELAY_DAYS)
        n = 0
        plan = [
            (Colour.RED, round(4 + 20 * s + rng.uniform(-2, 2)), RED),
            (Colour.BLACK, round(1 + 9 * (1 - s) + rng.uniform(-1, 1)), BLACK),
            (Colour.BLUE, rng.randint(4, 9), BLUE),
        ]
        blacks: list[BookEntry] = []
        for colour, count, texts in plan:
            for _ in range(max(count, 0)):
                day = self._day()
                title, text = rng.choice(texts)
                household = rng.choice(hh) if hh and colour != Colour.BLUE else None
                entry = BookEntry(
                    village=village,
                    colour=colour,
                    occurred_on=day,
                    household_id=household[0] if household else None,
                    title=title,
                    description=text,
                    publish_on=day + delay,
                    recorded_by_id=author,
                    recorded_at=self._at(day),
                )
                if colour == Colour.BLACK:
                    blacks.append(entry)
                else:
                    self._queue(entry)
                n += 1
        # Black entries first (their corrections point at them), then some marked 黄账.
        BookEntry.objects.bulk_create(blacks)
        for entry in blacks:
            if (
                rng.random() < 0.25 + 0.6 * s
                and entry.occurred_on + dt.timedelta(days=20) < self.today
            ):
                fixed = entry.occurred_on + dt.timedelta(days=rng.randint(10, 20))
                self._queue(
                    BookEntry(
                        village=village,
                        colour=Colour.BLACK,
                        occurred_on=entry.occurred_on,
                        household_id=entry.household_id,
                        title=entry.title,
                        description=entry.description,
                        publish_on=entry.publish_on,
                        corrected_on=fixed,
                        supersedes_id=entry.pk,
                        reason="已整改到位，经村民小组核实，转为黄账撤下公示",
                        recorded_by_id=author,
                        recorded_at=self._at(fixed),
                    )
                )
                n += 1
        return n

    def _periods(self, cadence: str) -> list[Period]:
        out, day = [], self.start
        while day <= self.today:
            key = {
                Cadence.MONTH: f"{day:%Y-%m}",
                Cadence.QUARTER: f"{day.year}Q{(day.month - 1) // 3 + 1}",
                Cadence.HALF: f"{day.year}H{1 if day.month <= 6 else 2}",
                Cadence.YEAR: f"{day.year}",
            }[cadence]
            period = Period.parse(key)
            if period.end < self.today and (not out or out[-1] != period):
                out.append(period)
            day = period.end + dt.timedelta(days=1)
        return out

    def _ratings(self, village: Region, s: float, hh: list, schemes: list) -> int:
        rng, author, n = self.rng, self._author(village), 0
        if not hh:
            return 0
        for scheme in schemes:
            items = list(scheme.items.all())
            titles = sorted(scheme.titles.all(), key=lambda t: -t.min_score)
            full = sum(i.max_points for i in items)
            sample = rng.sample(hh, min(RATED_HOUSEHOLDS[scheme.cadence], len(hh)))
            for period in self._periods(scheme.cadence):
                rated_on = min(period.end + dt.timedelta(days=rng.randint(1, 6)), self.today)
                for household_id, _head in sample:
                    quality = min(1.0, max(0.3, rng.gauss(0.55 + 0.4 * s, 0.08)))
                    scores = {str(i.pk): round(i.max_points * quality) for i in items}
                    score = sum(scores.values())
                    title = next((t for t in titles if score >= t.min_score), None)
                    self._queue(
                        HouseholdRating(
                            village=village,
                            household_id=household_id,
                            scheme=scheme,
                            period=period.key,
                            period_start=period.start,
                            rated_on=rated_on,
                            scores=scores,
                            score=score,
                            max_score=full,
                            title=title,
                            recorded_by_id=author,
                            recorded_at=self._at(rated_on),
                        )
                    )
                    n += 1
        return n

    def _points(self, village: Region, s: float, members: list[int], rules: list) -> int:
        rng, author, n = self.rng, self._author(village), 0
        bonus = [r for r in rules if r.points > 0]
        minus = [r for r in rules if r.points < 0]
        for member_id in members:
            used: dict[tuple[int, str], int] = defaultdict(int)
            weak = rng.random() < 0.25 * (1 - s)  # some members of lagging villages slip
            events = [rng.choice(bonus) for _ in range(rng.randint(2, int(3 + 6 * s)))]
            if weak:
                events += [rng.choice(minus) for _ in range(rng.randint(2, 4))]
            elif rng.random() < 0.6 * (1 - s):
                events.append(rng.choice(minus[:2]))
            for rule in events:
                day = self._day()
                key = (rule.pk, cap_period(rule, day).key)
                if used[key] + abs(rule.points) > rule.cap:
                    continue
                used[key] += abs(rule.points)
                self._queue(
                    PointsEntry(
                        village=village,
                        member_id=member_id,
                        rule=rule,
                        occurred_on=day,
                        points=rule.points,
                        note=rule.name,
                        evidence="见会议记录和照片" if rule.evidence_required else "",
                        recorded_by_id=author,
                        recorded_at=self._at(day),
                    )
                )
                n += 1
        return n

    def _pledges(self, village: Region, s: float, members: list[int]) -> int:
        rng, author, n = self.rng, self._author(village), 0
        for member_id in members:
            for _ in range(rng.randint(1, 2)):
                made = self._day()
                due = made + dt.timedelta(days=rng.choice((30, 60, 90, 180)))
                status, closed, evidence = PledgeStatus.OPEN, None, ""
                if due < self.today and rng.random() < 0.9:
                    closed = min(due + dt.timedelta(days=rng.randint(0, 10)), self.today)
                    if rng.random() < 0.35 + 0.6 * s:
                        status, evidence = PledgeStatus.FULFILLED, "经支部委员会核实，已兑现"
                    else:
                        status = PledgeStatus.UNFULFILLED
                self._queue(
                    Pledge(
                        village=village,
                        member_id=member_id,
                        text=rng.choice(PLEDGES),
                        made_on=made,
                        due_on=due,
                        status=status,
                        closed_on=closed,
                        evidence=evidence,
                        recorded_by_id=author,
                        recorded_at=self._at(made),
                    )
                )
                n += 1
        return n


def delete_ledgers_people() -> None:
    """Empty the tables of ledgers 1–3 (for ``reset_demo``), each with one plain DELETE; the
    photo files go once the transaction commits."""
    from django.db import connection, transaction

    from zhenxing.ledgers.models.books import LedgerPhoto
    from zhenxing.ledgers.models.ratings import RatingItem, RatingScheme, Title
    from zhenxing.ledgers.services.common import delete_files

    names = list(LedgerPhoto.objects.values_list("image", flat=True))
    transaction.on_commit(lambda: delete_files(names))
    for model in (
        BookEntry.photos.through,
        PointsEntry.photos.through,
        Pledge.photos.through,
        BookEntry,
        HouseholdRating,
        PointsEntry,
        Pledge,
        LedgerPhoto,
        Title,
        RatingItem,
        RatingScheme,
    ):
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's own table name
