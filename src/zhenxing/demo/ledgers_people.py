"""Ledgers 1–3 for every demo village: the 三色账, household ratings, member points and pledges,
from ``plan.data_start`` (1 January of the finished star year) to the build day ``today``.

Each village draws from a stream of its own per purpose and calendar year
(``plan.stream("ratings", code, year)``, "books", "points", "pledges"). What a star reads holds by
construction, over each calendar year as far as it has run, exactly where ``plan.meets`` says so:

- ``titled_households``: households titled in the year's ended rating periods, 13–18 where met
  (10 or more), 2–6 where missed; every other rating scores below the scheme's lowest title.
- ``member_points_mean``: members dealt from a deck, at most a tenth slipping where met (a mean
  balance of about 92 or more), at least four in five where missed (about 74 or less).

What no star reads (good and bad deeds, rating scores, pledges kept) follows ``plan.strength``;
a year under way has its share of them so far. Rows are written with ``bulk_create`` (each ledger
row is an original entry; a few black entries carry their 黄账 marking as a correction row, so
the demo shows history).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhenxing.core.periods import Period
from zhenxing.demo.plan import DemoPlan, stream
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
    *,
    county: Region,
    today: dt.date,
    accounts: dict[str, int],
    demo_village: Region,
    plan: DemoPlan,
) -> dict[str, int]:
    return _Builder(county, today, accounts, demo_village, plan).build()


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
        self.years = range(plan.data_start.year, today.year + 1)
        self.county = county
        self.demo_village = demo_village
        self.accounts = accounts
        self.pending: dict[type, list[Any]] = defaultdict(list)
        self.parts: dict[int, tuple[list, list]] = {}  # scheme → (items, titles highest first)
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

    def _author(self, village: Region) -> int:
        if village.pk == self.demo_village.pk:
            return self.accounts["village"]
        if village.path.startswith(self.township_a_path):
            return self.accounts["township"]
        return self.accounts["county"]

    def _share(self, year: int) -> float:
        """How much of ``year`` the data has reached (1.0 for a year that has ended)."""
        first = dt.date(year, 1, 1)
        return ((self.plan.year_end(year) - first).days + 1) / (
            (dt.date(year, 12, 31) - first).days + 1
        )

    def _day(self, rng: random.Random, year: int) -> dt.date:
        """A day of ``year`` the data has reached (1 January to 31 December, or ``today``)."""
        first = dt.date(year, 1, 1)
        return first + dt.timedelta(days=rng.randrange((self.plan.year_end(year) - first).days + 1))

    @staticmethod
    def _at(rng: random.Random, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(9 + rng.randrange(9), rng.randrange(60)))
        return timezone.make_aware(moment)

    def build(self) -> dict[str, int]:
        schemes = ensure_rating_defaults()
        rules = ensure_points_defaults()
        self.parts = {
            scheme.pk: (
                list(scheme.items.all()),
                sorted(scheme.titles.all(), key=lambda t: -t.min_score),
            )
            for scheme in schemes
        }
        households: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pk, village_id, head in (
            Household.objects.filter(village__in=[v.pk for v in self.villages])
            .order_by("pk")
            .values_list("pk", "village_id", "head_name")
        ):
            households[village_id].append((pk, head))
        members: dict[int, list[int]] = defaultdict(list)
        for pk, village_id in (
            PartyMember.objects.filter(
                status=MemberStatus.ACTIVE, organization__region__in=[v.pk for v in self.villages]
            )
            .order_by("pk")
            .values_list("pk", "organization__region_id")
        ):
            members[village_id].append(pk)
        counts = {"book_entries": 0, "ratings": 0, "points_entries": 0, "pledges": 0}
        for village in self.villages:
            for year in self.years:
                s = self.plan.strength(village.code, year)
                hh, people = households[village.pk], members[village.pk]
                counts["book_entries"] += self._books(village, year, s, hh)
                counts["ratings"] += self._ratings(village, year, s, hh, schemes)
                counts["points_entries"] += self._points(village, year, s, people, rules)
                counts["pledges"] += self._pledges(village, year, s, people)
        self._flush(force=True)
        return counts

    # --- writing ------------------------------------------------------------------------------

    def _queue(self, row: Any) -> None:
        self.pending[type(row)].append(row)
        if len(self.pending[type(row)]) >= BATCH:
            self._flush()

    def _flush(self, force: bool = False) -> None:
        for model, rows in self.pending.items():
            if rows and (force or len(rows) >= BATCH):
                model.objects.bulk_create(rows, batch_size=BATCH)
                rows.clear()

    # --- the ledgers --------------------------------------------------------------------------

    def _books(self, village: Region, year: int, s: float, hh: list[tuple[int, str]]) -> int:
        rng, author = stream("books", village.code, year), self._author(village)
        delay = dt.timedelta(days=settings.LEDGERS_BOOK_PUBLISH_DELAY_DAYS)
        share = self._share(year)
        n = 0
        plan = [
            (Colour.RED, round((4 + 20 * s + rng.uniform(-2, 2)) * share), RED),
            (Colour.BLACK, round((1 + 9 * (1 - s) + rng.uniform(-1, 1)) * share), BLACK),
            (Colour.BLUE, round(rng.randint(4, 9) * share), BLUE),
        ]
        blacks: list[BookEntry] = []
        for colour, count, texts in plan:
            for _ in range(max(count, 0)):
                day = self._day(rng, year)
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
                    recorded_at=self._at(rng, day),
                )
                if colour == Colour.BLACK:
                    blacks.append(entry)
                else:
                    self._queue(entry)
                n += 1
        # Black entries first (their corrections point at them), then some marked 黄账.
        BookEntry.objects.bulk_create(blacks)
        for entry in blacks:
            fixed = entry.occurred_on + dt.timedelta(days=rng.randint(10, 20))
            if rng.random() < 0.25 + 0.6 * s and fixed < self.today:
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
                        recorded_at=self._at(rng, fixed),
                    )
                )
                n += 1
        return n

    def _periods(self, cadence: str, year: int) -> list[Period]:
        """The rating periods that begin in ``year`` and have ended before ``today``."""
        out, day = [], dt.date(year, 1, 1)
        while day.year == year:
            key = {
                Cadence.MONTH: f"{day:%Y-%m}",
                Cadence.QUARTER: f"{day.year}Q{(day.month - 1) // 3 + 1}",
                Cadence.HALF: f"{day.year}H{1 if day.month <= 6 else 2}",
                Cadence.YEAR: f"{day.year}",
            }[cadence]
            period = Period.parse(key)
            if period.end >= self.today:
                break
            out.append(period)
            day = period.end + dt.timedelta(days=1)
        return out

    def _ratings(
        self, village: Region, year: int, s: float, hh: list[tuple[int, str]], schemes: list
    ) -> int:
        """A year of household ratings. Each scheme rates households of its own (8 a month, 12 a
        quarter, 8 a half-year); of the households rated in the periods that have ended, a dealt
        number earn a title in one rating or more: 13–18 where the plan meets
        ``titled_households`` (10 or more), 2–6 where it misses it. Every other rating scores
        below the scheme's lowest title."""
        rng, author, n = stream("ratings", village.code, year), self._author(village), 0
        wanted = sum(RATED_HOUSEHOLDS.get(scheme.cadence, 8) for scheme in schemes)
        drawn = rng.sample(hh, min(wanted, len(hh)))
        plans = []
        for scheme in schemes:
            k = RATED_HOUSEHOLDS.get(scheme.cadence, 8)
            rated, drawn = [h for h, _head in drawn[:k]], drawn[k:]
            plans.append((scheme, rated, self._periods(scheme.cadence, year)))
        eligible = [h for _scheme, rated, periods in plans if periods for h in rated]
        meets = self.plan.meets(village.code, "titled_households", year)
        count = rng.randint(13, 18) if meets else rng.randint(2, 6)
        titled = set(rng.sample(eligible, min(count, len(eligible))))
        for scheme, rated, periods in plans:
            items, titles = self.parts[scheme.pk]
            full = sum(i.max_points for i in items)
            for index, period in enumerate(periods):
                rated_on = min(period.end + dt.timedelta(days=rng.randint(1, 6)), self.today)
                for household_id in rated:
                    wins = household_id in titled and (index == 0 or rng.random() < 0.6)
                    if wins:
                        quality = rng.uniform(0.93, 1.0)
                    else:
                        quality = min(0.78, max(0.3, rng.gauss(0.45 + 0.3 * s, 0.08)))
                    if not wins:  # below the lowest title, whatever the scheme's floors
                        while quality > 0 and _title(titles, _scores(items, quality)):
                            quality = max(0.0, quality - 0.1)
                    elif not _title(titles, _scores(items, quality)):
                        quality = 1.0  # a scheme with stricter titles: full marks
                    scores = _scores(items, quality)
                    title = _title(titles, scores)
                    self._queue(
                        HouseholdRating(
                            village=village,
                            household_id=household_id,
                            scheme=scheme,
                            period=period.key,
                            period_start=period.start,
                            rated_on=rated_on,
                            scores=scores,
                            score=sum(scores.values()),
                            max_score=full,
                            title=title,
                            recorded_by_id=author,
                            recorded_at=self._at(rng, rated_on),
                        )
                    )
                    n += 1
        return n

    def _points(self, village: Region, year: int, s: float, members: list[int], rules: list) -> int:
        """A year of member points. Members are dealt from a deck: where the plan meets
        ``member_points_mean`` (a mean balance of 80 or more) at most a tenth slip (down to
        −40 points) and the others gain (net −4 at worst), a mean of about 92 or more; where it
        misses it at least four in five slip (−36 or less) and the others gain 12 at most, a mean
        of about 74 or less."""
        rng, author, n = stream("points", village.code, year), self._author(village), 0
        bonus = [r for r in rules if r.points > 0]
        small = [r for r in bonus if r.points <= 3] or bonus
        minus = sorted((r for r in rules if r.points < 0), key=lambda r: -r.points)[:3]
        meets = self.plan.meets(village.code, "member_points_mean", year)
        slipping = len(members) // 10 if meets else math.ceil(len(members) * 0.8)
        deck = [True] * slipping + [False] * (len(members) - slipping)
        rng.shuffle(deck)
        for member_id, slips in zip(members, deck, strict=True):
            used: dict[tuple[int, str], int] = defaultdict(int)
            if meets and slips:
                events = [rng.choice(bonus) for _ in range(rng.randint(2, 4))]
                events += [rng.choice(minus) for _ in range(rng.randint(2, 4))]
            elif meets:
                events = [rng.choice(bonus) for _ in range(rng.randint(2, int(3 + 6 * s)))]
                if rng.random() < 0.6 * (1 - s):
                    events.append(minus[0])
            elif slips:  # absences, dues and the village rules: 40–75 points off
                events = [rng.choice(small[:2]) for _ in range(rng.randint(0, 2))]
                events += [minus[0]] * rng.randint(4, 6) + [minus[1]] * rng.randint(2, 3)
                events += [minus[2]] * rng.randint(1, 3)
            else:
                events = [rng.choice(small) for _ in range(rng.randint(2, 4))]
            for rule in events:
                day = self._day(rng, year)
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
                        recorded_at=self._at(rng, day),
                    )
                )
                n += 1
        return n

    def _pledges(self, village: Region, year: int, s: float, members: list[int]) -> int:
        rng, author, n = stream("pledges", village.code, year), self._author(village), 0
        share = self._share(year)
        for member_id in members:
            for _ in range(rng.randint(1, 2)):
                if rng.random() >= share:
                    continue  # the year under way: fewer pledges made so far
                made = self._day(rng, year)
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
                        recorded_at=self._at(rng, made),
                    )
                )
                n += 1
        return n


def _scores(items: list, quality: float) -> dict[str, int]:
    return {str(i.pk): round(i.max_points * quality) for i in items}


def _title(titles: list, scores: dict[str, int]) -> Any:
    """The best title the scores reach (``titles`` highest first), or None."""
    return next((t for t in titles if sum(scores.values()) >= t.min_score), None)


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
