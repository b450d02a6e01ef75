"""The demo county: a fictional 清河县 whose three townships have the shapes the seeds report.

- 裴岗镇 (like Peicheng): 24 villages in 4 management districts, about 1,200 Party members,
  about 400 households a village, every village secretary also the committee director (一肩挑).
- 城关镇 (like Chengguan): 18 villages and 5 communities, 576 Party members, 5,355 households.
- 上庄镇 (like Shangzhuang): 7 villages, 63 villager groups, 4,508 households.

The registers are drawn from one ``random.Random(SEED)`` of their own: the same people for every
reference date of a year (dates are counted back from 1 January of the reference year, so ages stay
right as years pass). Rows are written with ``bulk_create``. Everything after the registers (the
service loop of ``demo.orders``, grids, ledgers, stars) follows the plan of ``demo.plan``: data from
1 January of the finished star year to the reference date, each purpose and village on a random
stream of its own, meeting exactly the indicators of the stars the plan deals each village.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from zhenxing.accounts import services as account_services
from zhenxing.accounts.models import PersonalDataView, Role, User
from zhenxing.demo.grids import build_grids
from zhenxing.demo.ledgers_people import build_ledgers_people, delete_ledgers_people
from zhenxing.demo.ledgers_village import build_ledgers_village, delete_ledgers_village
from zhenxing.demo.orders import build_orders
from zhenxing.demo.plan import SEED, Deck, DemoPlan
from zhenxing.demo.star_applications import build_star_applications, delete_star_applications
from zhenxing.demo.star_rhythm import build_star_rhythm, delete_star_rhythm
from zhenxing.demo.star_townships import build_star_townships
from zhenxing.demo.stars import delete_stars
from zhenxing.grids.models import Grid, GridCover, GridSettings, Pairing, Visit, VisitRequest
from zhenxing.orders.models import (
    Meeting,
    MeetingItem,
    Notice,
    Order,
    OrderEvent,
    Photo,
    SweepRun,
    Team,
)
from zhenxing.regions.models import (
    VILLAGE_LEVELS,
    CadrePost,
    Education,
    Household,
    HouseholdTag,
    Level,
    MemberKind,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
    Sex,
)

PASSWORD = "zhenxing-demo"  # noqa: S105 - the published demo password
BATCH = 2000

PROVINCE = "河南省"
CITY = "河阳市"
COUNTY = "清河县"
COUNTY_CODE = "419921"  # fictional 区划代码 prefix (no real county has it)

TOWNSHIP_A = "裴岗镇"
TOWNSHIP_B = "城关镇"
TOWNSHIP_C = "上庄镇"


@dataclass(frozen=True)
class TownshipPlan:
    name: str
    code: str  # three digits after the county code
    districts: tuple[tuple[str, tuple[str, ...]], ...]  # (管区, villages); "" = directly under
    communities: tuple[str, ...]
    households: int | None  # exact total, or None: HOUSEHOLDS_PER_VILLAGE_A each (random)
    groups: int | None  # exact total, or None: 5–10 a village
    members: int  # active members of the village and community branches, exactly
    one_shoulder: int  # villages whose secretary is also the committee director

    @property
    def villages(self) -> tuple[str, ...]:
        return tuple(v for _, names in self.districts for v in names)

    @property
    def units(self) -> int:
        return len(self.villages) + len(self.communities)


PLAN_A = TownshipPlan(
    name=TOWNSHIP_A,
    code="101",
    districts=(
        ("裴岗管区", ("裴岗村", "东王庄村", "西王庄村", "韩庄村", "白沙村", "马庄村")),
        ("后营管区", ("后营村", "前营村", "杨屯村", "小郭庄村", "大郭庄村", "孙店村")),
        ("李楼管区", ("李楼村", "张寨村", "刘湾村", "赵岗村", "冯楼村", "郑寨村")),
        ("黄集管区", ("黄集村", "高桥村", "陈铺村", "周洼村", "吴坡村", "徐园村")),
    ),
    communities=(),
    households=None,
    groups=None,
    members=1200,
    one_shoulder=24,
)
PLAN_B = TownshipPlan(
    name=TOWNSHIP_B,
    code="102",
    districts=(
        (
            "",
            (
                "东关村",
                "西关村",
                "南关村",
                "北关村",
                "城郊村",
                "河堤村",
                "袁庄村",
                "何楼村",
                "宋营村",
                "唐庄村",
                "许寨村",
                "谢湾村",
                "梁庄村",
                "邓岗村",
                "曹屯村",
                "彭店村",
                "田集村",
                "董桥村",
            ),
        ),
    ),
    communities=("文昌社区", "建设路社区", "幸福社区", "人民路社区", "滨河社区"),
    households=5355,
    groups=None,
    members=576,
    one_shoulder=19,
)
PLAN_C = TownshipPlan(
    name=TOWNSHIP_C,
    code="103",
    districts=(("", ("上庄村", "下庄村", "柳树湾村", "石门村", "龙泉村", "杏花村", "槐树岭村")),),
    communities=(),
    households=4508,
    groups=63,
    members=322,
    one_shoulder=6,
)
TOWNSHIPS = (PLAN_A, PLAN_B, PLAN_C)
HOUSEHOLDS_PER_VILLAGE_A = (340, 460)
GROUPS_PER_VILLAGE = (5, 10)
GROUPS_PER_COMMUNITY = (4, 8)
TRANSFERRED_SHARE_A = 0.012  # members transferred out, on top of the active ones (裴岗镇 only)

# The village whose secretary and grid member get demo accounts: the first of 裴岗镇 by name.
DEMO_VILLAGE = min(PLAN_A.villages)
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("county", "县级管理员", f"{COUNTY}（全县）"),
    ("township", "乡镇管理员", f"{COUNTY}{TOWNSHIP_A}"),
    ("village", "村党支部书记", f"{TOWNSHIP_A}{DEMO_VILLAGE}"),
    ("member", "网格员", f"{TOWNSHIP_A}{DEMO_VILLAGE}"),
]
DEMO_USERNAMES = tuple(username for username, _, _ in DEMO_ACCOUNTS)

# ID-card area codes whose stdnum entry has no year range, so they are valid for any birth year.
ID_AREAS = ("410700", "410700", "410700", "410800", "410100", "410600")

# fmt: off
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严武戴孔向汤裴"
)
GIVEN = {
    # (generation, sex): (first characters, second characters)
    ("old", "M"): ("建国德福长永玉金保振学志庆占万书世春新喜宝铁进", "国军华林山海生才成堂祥贵喜忠义民平安田仓明亮奎胜锁"),
    ("old", "F"): ("秀桂玉凤翠兰淑素金春冬小月巧爱", "英兰芝珍芳梅花荣香娥琴霞莲云菊枝"),
    ("mid", "M"): ("建伟志永海红小俊新晓春文立卫国宏军东向利", "伟强磊军勇涛斌波辉刚鹏超杰明亮峰平华东林"),
    ("mid", "F"): ("丽晓小艳红海春玉美秀彩雪", "丽娟艳敏静霞燕红玲芳萍华梅英"),
    ("young", "M"): ("浩宇子博文俊梓睿一思泽家嘉天明皓志鑫", "宇轩然杰博涵航晨阳泽昊辰睿豪鑫凯"),
    ("young", "F"): ("欣梓雨佳诗可若思雅梦紫语晓静", "怡涵萱琪语馨彤悦妍婷雪琳瑶菲"),
}
# fmt: on
MOBILE_PREFIXES = (
    *(str(n) for n in range(130, 140)),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "178"),
    *(str(n) for n in range(180, 190)),
    *("191", "198", "199"),
)

SIZES = (1, 2, 3, 4, 5, 6)
SIZE_WEIGHTS = (11, 23, 24, 22, 13, 7)  # mean about 3.2 people a household

# Education of ordinary residents by birth year: (before year, weights over Education in order).
EDUCATION_BY_BIRTH = (
    (1960, (55, 35, 9, 1, 0, 0)),
    (1975, (25, 50, 20, 4, 1, 0)),
    (1990, (8, 45, 27, 12, 8, 0)),
    (9999, (2, 25, 28, 25, 18, 2)),
)
EDUCATIONS = tuple(Education)

# Two-committee team, drawn from decks so that each township gets these proportions nearly
# exactly (seeds 000/003: average age about 43, a third 35 or under, 40 % 大专及以上):
# age bands as (low, high, cards), and per age band (up to, cards of 大专及以上 out of 20).
SECRETARY_AGES = ((32, 34, 3), (37, 46, 6), (47, 55, 9), (56, 59, 2))
DIRECTOR_AGES = ((30, 34, 2), (36, 45, 4), (46, 55, 4))
COMMITTEE_AGES = ((27, 34, 8), (36, 46, 4), (47, 56, 6), (57, 59, 2))
COLLEGE_CARDS = ((35, 13), (45, 8), (55, 4), (200, 1))


@dataclass
class BuildResult:
    county: Region
    plan: DemoPlan
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class DemoResetError(Exception):
    """Reset refused: other data still points at the registers."""


def demo_exists() -> bool:
    return Region.objects.exists()


def build_demo_county(*, today: dt.date | None = None) -> BuildResult | None:
    """Build the demo county; do nothing (return None) when any region already exists."""
    if demo_exists():
        return None
    started = time.perf_counter()
    with transaction.atomic():
        result = _Builder(today or timezone.localdate()).build()
    result.seconds = time.perf_counter() - started
    return result


def reset_demo() -> None:
    """Delete the registers (every region and what hangs on it) and the demo accounts.

    Models that later apps hang on regions, households or residents must be deleted here first.
    """
    blocking = list(
        User.objects.filter(scope_region__isnull=False)
        .exclude(username__in=DEMO_USERNAMES)
        .values_list("username", flat=True)
    )
    if blocking:
        raise DemoResetError(
            "以下账号的管辖范围在将被删除的区域中，请先删除或修改：" + "、".join(blocking)
        )
    with transaction.atomic():
        photos = list(Photo.objects.values_list("image", flat=True))
        transaction.on_commit(lambda: _delete_files(photos))
        # A Party member's account points at a resident: unlinked before the residents go.
        User.objects.filter(person__isnull=False).update(person=None)
        delete_star_rhythm()  # first: snapshots hold their standard, reports their tasks
        delete_star_applications()  # first: applications hold their standard and run
        delete_stars()
        delete_ledgers_village()  # first: meetings point at ledger photos and members
        delete_ledgers_people()
        # Leaves first, so each table is emptied by one plain DELETE (no per-row collecting).
        for model in (
            VisitRequest,
            Visit,
            Pairing,
            GridCover,
            Grid,
            GridSettings,
            Notice,
            MeetingItem,
            Meeting,
            Photo,
            OrderEvent,
            Order,
            SweepRun,
            Team.members.through,
            Team,
            CadrePost,
            PartyMember,
            Household.tags.through,
            Resident,
            Household,
            PartyOrganization,
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's own table name
        demo_users = User.objects.filter(username__in=DEMO_USERNAMES)
        PersonalDataView.objects.filter(user__in=demo_users).delete()
        demo_users.delete()
        Region.objects.all().delete()


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            Photo._meta.get_field("image").storage.delete(name)


def _split(total: int, n: int, rng: random.Random, spread: float, floor: int = 1) -> list[int]:
    """``n`` random parts of ``total`` (each at least ``floor``), by largest remainder."""
    weights = [1 + rng.uniform(-spread, spread) for _ in range(n)]
    rest = total - floor * n
    raw = [rest * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    by_remainder = sorted(range(n), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[: rest - sum(parts)]:
        parts[i] += 1
    return [floor + p for p in parts]


def _add(parent: Region | None, **fields) -> Region:
    """A new region: a root, or the child of ``parent`` (kept in name order by treebeard)."""
    if parent is None:
        return Region.objects.add_root(fields)
    return Region.objects.add_child(parent, fields)


@dataclass
class _Person:
    resident: Resident
    age: int
    cadre: bool = False


class _Builder:
    def __init__(self, today: dt.date) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.year = today.year
        # Two-committee terms began in the last election year (2021, 2026, ...) before this year.
        self.term_year = self.year - 1 - (self.year - 1 - 2021) % 5
        self.tags = {tag.code: tag for tag in HouseholdTag.objects.all()}
        self.id_numbers: set[str] = set()
        self.checked_areas: set[tuple[str, int]] = set()
        self.households: list[Household] = []
        self.residents: list[Resident] = []
        self.members: list[PartyMember] = []
        self.posts: list[CadrePost] = []
        self.tag_links: list[tuple[Household, HouseholdTag]] = []
        self.demo_people: dict[str, str] = {}
        self.demo_member: Resident | None = None  # the grid member, who gets the member account
        self.today = today

    # --- the tree -------------------------------------------------------------------------

    def build(self) -> BuildResult:
        province = _add(None, name=PROVINCE, level=Level.PROVINCE, code="410000000000")
        city = _add(province, name=CITY, level=Level.CITY, code="419900000000")
        county = _add(city, name=COUNTY, level=Level.COUNTY, code=f"{COUNTY_CODE}000000")
        for plan in TOWNSHIPS:
            self._township(county, plan)
        self._write()
        accounts, village = self._accounts(county)
        plan = DemoPlan.for_regions(
            self.today, Region.objects.filter(level__in=VILLAGE_LEVELS), village
        )
        orders = build_orders(
            plan=plan,
            county=county,
            today=self.today,
            accounts=accounts,
            demo_village=village,
            demo_member=PartyMember.objects.get(person=self.demo_member),
        )
        grids = build_grids(
            county=county,
            township_a=Region.objects.get(level=Level.TOWNSHIP, name=TOWNSHIP_A),
            today=self.today,
            plan=plan,
        )
        ledgers_people = build_ledgers_people(
            county=county, today=self.today, accounts=accounts, demo_village=village, plan=plan
        )
        ledgers_village = build_ledgers_village(
            county=county, today=self.today, accounts=accounts, demo_village=village, plan=plan
        )
        # Last: the evaluation reads every module's data.
        admin = User.objects.get(pk=accounts["county"])
        stars = build_star_applications(
            county=county, plan=plan, accounts=accounts, demo_village=village
        )
        stars |= build_star_rhythm(  # after the applications: it ranks their progress
            county=county, plan=plan, accounts=accounts, demo_village=village
        )
        stars |= build_star_townships(  # after the applications: it reads their stars
            county=county, admin=admin, plan=plan
        )
        return BuildResult(
            county=county,
            plan=plan,
            counts={
                "regions": Region.objects.count(),
                "households": len(self.households),
                "residents": len(self.residents),
                "members": len(self.members),
                "posts": len(self.posts),
                **orders,
                **ledgers_people,
                **ledgers_village,
                **grids,
                **stars,
            },
        )

    def _township(self, county: Region, plan: TownshipPlan) -> None:
        rng = self.rng
        township = _add(
            county, name=plan.name, level=Level.TOWNSHIP, code=f"{COUNTY_CODE}{plan.code}000"
        )
        self.decks = {
            "secretary": Deck.of_bands(rng, SECRETARY_AGES),
            "director": Deck.of_bands(rng, DIRECTOR_AGES),
            "committee": Deck.of_bands(rng, COMMITTEE_AGES),
            "college": [
                (top, Deck(rng, [True] * cards + [False] * (20 - cards)))
                for top, cards in COLLEGE_CARDS
            ],
        }
        committee = PartyOrganization.objects.create(
            name=f"中共{plan.name}委员会", kind=OrgKind.TOWNSHIP_COMMITTEE, region=township
        )
        # Villages and communities, each with its region node and its parent (district or township).
        units: list[tuple[str, Level, Region]] = []
        for district_name, villages in plan.districts:
            parent = township
            if district_name:
                parent = _add(township, name=district_name, level=Level.DISTRICT)
                self._district_cadres(township, parent, committee)
            units += [(name, Level.VILLAGE, parent) for name in villages]
        units += [(name, Level.COMMUNITY, township) for name in plan.communities]

        n = len(units)
        if plan.households is None:
            households = [rng.randint(*HOUSEHOLDS_PER_VILLAGE_A) for _ in range(n)]
        else:
            households = _split(plan.households, n, rng, spread=0.45, floor=120)
        if plan.groups is None:
            groups = [
                rng.randint(
                    *(GROUPS_PER_COMMUNITY if level == Level.COMMUNITY else GROUPS_PER_VILLAGE)
                )
                for _, level, _ in units
            ]
        else:
            groups = _split(plan.groups, n, rng, spread=0.3, floor=5)
        members = _split(plan.members, n, rng, spread=0.3, floor=10)
        one_shoulder = set(rng.sample(range(n), plan.one_shoulder))

        # Add siblings in name order so the sorted tree only ever appends.
        order = sorted(range(n), key=lambda i: units[i][0])
        for number, i in enumerate(order, start=1):
            name, level, parent = units[i]
            node = _add(
                parent, name=name, level=level, code=f"{COUNTY_CODE}{plan.code}{200 + number:03d}"
            )
            self._village(
                node,
                households=households[i],
                groups=groups[i],
                members=members[i],
                one_shoulder=i in one_shoulder,
                transferred=plan is PLAN_A,
            )

    # --- people ---------------------------------------------------------------------------

    def _birth(self, age: int) -> dt.date:
        """A birth date ``age`` years before mid-year, never later than last year."""
        birth = dt.date(self.year - age, 7, 1) - dt.timedelta(days=self.rng.randrange(365))
        return min(birth, dt.date(self.year - 1, 12, 31))

    def _name(self, surname: str, sex: str, birth: dt.date) -> str:
        generation = "old" if birth.year < 1962 else "mid" if birth.year < 1988 else "young"
        first, second = GIVEN[generation, sex]
        if self.rng.random() < 0.22:
            return surname + self.rng.choice(second)
        a = self.rng.choice(first)
        b = self.rng.choice(second)
        return surname + a + (b if b != a else self.rng.choice(second))

    def _id_number(self, sex: str, birth: dt.date) -> str:
        area = self.rng.choice(ID_AREAS)
        while True:
            order = self.rng.randrange(0, 500) * 2 + (1 if sex == Sex.MALE else 0)
            first17 = f"{area}{birth:%Y%m%d}{order:03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")
            if number not in self.id_numbers:
                break
        # The check digit and the date are right by construction; stdnum's area-code lookup (the
        # slow part) depends only on the area and the birth year, so it runs once per pair.
        if (area, birth.year) not in self.checked_areas:
            if not ric.is_valid(number):
                raise AssertionError(f"generated an invalid ID number {number}")
            self.checked_areas.add((area, birth.year))
        self.id_numbers.add(number)
        return number

    def _phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _education(self, age: int, birth: dt.date) -> Education:
        if age < 13:
            return Education.PRIMARY
        if age < 16:
            return Education.JUNIOR
        if age < 19:
            return Education.SENIOR
        weights = next(w for before, w in EDUCATION_BY_BIRTH if birth.year < before)
        return self.rng.choices(EDUCATIONS, weights=weights)[0]

    def _person(
        self, village: Region, household: Household, surname: str, sex: str, age: int
    ) -> _Person:
        birth = self._birth(age)
        phone_chance = 0.0 if age < 18 else 0.4 if age >= 75 else 0.8 if age >= 60 else 0.97
        resident = Resident(
            region=village,
            household=household,
            name=self._name(surname, sex, birth),
            sex=sex,
            birth_date=birth,
            id_number=self._id_number(sex, birth),
            phone=self._phone() if self.rng.random() < phone_chance else "",
            education=self._education(age, birth),
        )
        self.residents.append(resident)
        return _Person(resident, age)

    def _other_surname(self, not_this: str) -> str:
        while True:
            surname = self._surname("")
            if surname != not_this:
                return surname

    def _surname(self, local: str) -> str:
        if local and self.rng.random() < 0.4:
            return local
        index = min(int(self.rng.paretovariate(1.1)) - 1, len(SURNAMES) - 1)
        return SURNAMES[index] if self.rng.random() < 0.8 else self.rng.choice(SURNAMES)

    def _compose(self, size: int) -> list[tuple[str, str, int]]:
        """The members of a household of ``size``, head first: (relation, sex, age)."""
        rng = self.rng
        if size == 1:
            if rng.random() < 0.72:
                return [("head", rng.choice("MMF"), rng.randint(60, 88))]
            return [("head", "M", rng.randint(28, 59))]
        elder_head = size >= 5 and rng.random() < 0.35
        if elder_head:  # grandparents, son and daughter-in-law, grandchildren
            head = rng.randint(56, 76)
            son = head - rng.randint(23, 30)
            people = [("head", "M", head), ("spouse", "F", head - rng.randint(0, 4))]
            people += [("child", "M", son), ("inlaw", "F", son - rng.randint(0, 3))]
            people += self._children(son, size - 4)
            return people
        if size == 2:
            head = rng.randint(58, 84) if rng.random() < 0.62 else rng.randint(24, 45)
            return [("head", "M", head), ("spouse", "F", max(20, head - rng.randint(-2, 5)))]
        if size == 3:
            elders = 1 if rng.random() < 0.3 else 0
        elif size == 4:
            elders = 1 if rng.random() < 0.45 else 0
        elif size == 5:
            elders = 2 if rng.random() < 0.3 else 1
        else:
            elders = 2
        kids = size - 2 - elders
        head = rng.randint(30, 52) if kids else rng.randint(30, 60)
        if elders:
            head = min(head, 62)
        people = [("head", "M", head), ("spouse", "F", max(21, head - rng.randint(-2, 5)))]
        people += self._children(head, kids)
        if elders == 2:
            father = head + rng.randint(24, 32)
            people += [("elder", "M", min(father, 92)), ("elder_f", "F", min(father - 2, 92))]
        elif elders == 1:
            parent = min(head + rng.randint(24, 34), 95)
            people.append(
                ("elder", "M", parent) if rng.random() < 0.35 else ("elder_f", "F", parent)
            )
        return people

    def _children(self, parent_age: int, count: int) -> list[tuple[str, str, int]]:
        age = max(0, parent_age - self.rng.randint(23, 31))
        out = []
        for _ in range(count):
            out.append(("child", self.rng.choice("MF"), age))
            age = max(0, age - self.rng.randint(1, 6))
        return out

    def _tags(self, household: Household, people: list[_Person]) -> None:
        rng = self.rng
        ages = [p.age for p in people]
        codes = []
        if len(people) == 1 and ages[0] >= 60 and rng.random() < 0.18:
            codes.append("wubao")
        if min(ages) >= 60 and rng.random() < 0.6:
            codes.append("kongchao")
        if any(a >= 65 or a < 14 for a in ages) and rng.random() < 0.1:
            codes.append("liushou")  # the working-age members are away for work
        roll = rng.random()
        if roll < 0.055:
            codes.append("tuopin")
        elif roll < 0.07:
            codes.append("jiance")
        if rng.random() < (0.09 if min(ages) >= 60 else 0.03):
            codes.append("dibao")
        if rng.random() < 0.018:
            codes.append("junlie")
        if rng.random() < 0.04:
            codes.append("canji")
        self.tag_links += [(household, self.tags[code]) for code in codes if code in self.tags]

    # --- a village ------------------------------------------------------------------------

    def _village(
        self,
        node: Region,
        *,
        households: int,
        groups: int,
        members: int,
        one_shoulder: bool,
        transferred: bool,
    ) -> None:
        rng = self.rng
        demo = transferred and node.name == DEMO_VILLAGE
        community = node.level == Level.COMMUNITY
        kind = OrgKind.COMMUNITY_BRANCH if community else OrgKind.VILLAGE_BRANCH
        org = PartyOrganization.objects.create(name=f"{node.name}党支部", kind=kind, region=node)
        local = next((c for c in node.name if c in SURNAMES), "")
        group_nodes = [
            _add(node, name=f"第{g:02d}居民小组" if community else f"{g:02d}组", level=Level.GROUP)
            for g in range(1, groups + 1)
        ]
        people: list[_Person] = []
        number = 0
        for g, (group, count) in enumerate(
            zip(group_nodes, _split(households, groups, rng, spread=0.3), strict=True), start=1
        ):
            for k in range(1, count + 1):
                number += 1
                spec = self._compose(rng.choices(SIZES, weights=SIZE_WEIGHTS)[0])
                surname = self._surname(local)
                household = Household(
                    village=node,
                    group=group,
                    number=f"{number:04d}",
                    address=f"{node.name}{g}{'小组' if community else '组'}{k}号",
                    size=len(spec),
                )
                family = [
                    self._person(
                        node,
                        household,
                        surname
                        if relation in ("head", "child", "elder")
                        else self._other_surname(surname),
                        sex,
                        age,
                    )
                    for relation, sex, age in spec
                ]
                household.head_name = family[0].resident.name
                # No phone in the family: the number of a relative who works away.
                household.phone = next(
                    (p.resident.phone for p in family if p.resident.phone), self._phone()
                )
                self.households.append(household)
                self._tags(household, family)
                people += family

        secretary, team = self._cadres(node, people, one_shoulder)
        self._members(org, people, team, members, transferred, demo)
        if demo:
            self.demo_people["village"] = secretary.resident.name

    def _find(self, people: list[_Person], low: int, high: int, sex: str | None = None) -> _Person:
        start = self.rng.randrange(len(people))
        for i in range(len(people)):
            person = people[(start + i) % len(people)]
            if (
                not person.cadre
                and low <= person.age <= high
                and (sex is None or person.resident.sex == sex)
            ):
                person.cadre = True
                return person
        raise LookupError(f"no villager aged {low}–{high}")

    def _post(
        self, person: _Person, region: Region, post: Post, start: dt.date | None = None
    ) -> dt.date:
        start = start or dt.date(self.term_year, self.rng.randint(1, 3), self.rng.randint(1, 28))
        self.posts.append(
            CadrePost(person=person.resident, region=region, post=post, start_date=start)
        )
        return start

    def _cadre_education(self, person: _Person) -> None:
        rng = self.rng
        if next(deck for top, deck in self.decks["college"] if person.age <= top).draw():
            education = rng.choices(
                (Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE), (52, 45, 3)
            )[0]
        else:
            education = rng.choices((Education.JUNIOR, Education.SENIOR), (30, 70))[0]
        person.resident.education = education
        if not person.resident.phone:
            person.resident.phone = self._phone()

    def _cadres(
        self, node: Region, people: list[_Person], one_shoulder: bool
    ) -> tuple[_Person, list[tuple[_Person, float]]]:
        """Post the two-committee team; return (person, chance of being a Party member)."""
        rng = self.rng
        team: list[tuple[_Person, float]] = []
        decks = self.decks
        sex = "M" if rng.random() < 0.9 else "F"
        secretary = self._find(people, *decks["secretary"].draw(), sex)
        self._cadre_education(secretary)
        elected = self._post(secretary, node, Post.SECRETARY)
        team.append((secretary, 1.0))
        if one_shoulder:
            self._post(secretary, node, Post.DIRECTOR, elected)
        else:
            director = self._find(people, *decks["director"].draw(), "M")
            self._cadre_education(director)
            self._post(director, node, Post.DIRECTOR)
            team.append((director, 0.85))
        for i in range(rng.randint(3, 5)):
            sex = "F" if i == 0 else ("M" if rng.random() < 0.7 else "F")  # one is 妇联主席
            member = self._find(people, *decks["committee"].draw(), sex)
            self._cadre_education(member)
            later = rng.random() < 0.15 and self.term_year + 1 < self.year
            start = dt.date(rng.randint(self.term_year + 1, self.year - 1), 7, 1) if later else None
            self._post(member, node, Post.COMMITTEE, start)
            team.append((member, 0.8))
        supervisor = self._find(people, 45, 62, "M")
        self._post(supervisor, node, Post.SUPERVISOR)
        team.append((supervisor, 0.9))
        if rng.random() < 0.35:
            chronicler = self._find(people, 60, 75)
            chronicler.resident.education = rng.choice((Education.SENIOR, Education.JUNIOR))
            self._post(chronicler, node, Post.CHRONICLER)
            team.append((chronicler, 0.5))
        return secretary, team

    def _membership(self, org: PartyOrganization, person: _Person, status: str) -> None:
        rng = self.rng
        birth = person.resident.birth_date
        if status == MemberStatus.ACTIVE and rng.random() < 0.03 and person.age >= 20:
            kind = MemberKind.PROBATIONARY
            joined = dt.date(self.year - 1, rng.randint(1, 11), rng.randint(1, 28))
        else:
            kind = MemberKind.FULL
            age = rng.randint(19, max(19, min(person.age - 2, 45)))
            joined = min(
                dt.date(birth.year + age, rng.randint(1, 12), rng.randint(1, 28)),
                dt.date(self.year - 2, 7, 1),
            )
        self.members.append(
            PartyMember(
                person=person.resident, organization=org, kind=kind, joined_on=joined, status=status
            )
        )

    def _members(
        self,
        org: PartyOrganization,
        people: list[_Person],
        team: list[tuple[_Person, float]],
        target: int,
        transferred: bool,
        demo: bool,
    ) -> None:
        rng = self.rng
        chosen = [person for person, chance in team if rng.random() < chance][:target]
        taken = {id(p) for p in chosen}

        def weight(p: _Person) -> float:
            by_age = 0.7 if p.age <= 35 else 1.0 if p.age <= 50 else 1.6 if p.age <= 65 else 2.0
            return by_age * (2.5 if p.resident.sex == Sex.MALE else 1.0)

        # Weighted sampling without replacement (Efraimidis–Spirakis): the largest keys win.
        pool = [p for p in people if p.age >= 22 and id(p) not in taken]
        keyed = sorted(pool, key=lambda p: rng.random() ** (1 / weight(p)), reverse=True)
        extra = round(target * TRANSFERRED_SHARE_A) if transferred else 0
        need = target - len(chosen)
        chosen += keyed[:need]
        for person in chosen:
            self._membership(org, person, MemberStatus.ACTIVE)
        for person in keyed[need : need + extra]:
            self._membership(org, person, MemberStatus.TRANSFERRED)
        if demo:
            grid = next(p for p in chosen if not p.cadre and 30 <= p.age <= 55)
            self.demo_people["member"] = grid.resident.name
            self.demo_member = grid.resident

    def _district_cadres(
        self, township: Region, district: Region, committee: PartyOrganization
    ) -> None:
        """管区书记 and 包村干部: township cadres registered at the township, posted to a district."""
        rng = self.rng
        for post, low, high in (
            (Post.DISTRICT_SECRETARY, 38, 52),
            (Post.LIAISON, 26, 45),
            (Post.LIAISON, 26, 45),
        ):
            sex = "M" if rng.random() < 0.75 else "F"
            age = rng.randint(low, high)
            birth = self._birth(age)
            resident = Resident(
                region=township,
                name=self._name(self._surname(""), sex, birth),
                sex=sex,
                birth_date=birth,
                id_number=self._id_number(sex, birth),
                phone=self._phone(),
                education=rng.choice((Education.COLLEGE, Education.BACHELOR, Education.BACHELOR)),
            )
            self.residents.append(resident)
            person = _Person(resident, age, cadre=True)
            start = dt.date(rng.randint(self.year - 4, self.year - 1), rng.randint(1, 12), 1)
            self._post(person, district, post, start)
            self._membership(committee, person, MemberStatus.ACTIVE)

    # --- writing --------------------------------------------------------------------------

    def _write(self) -> None:
        Household.objects.bulk_create(self.households, batch_size=BATCH)
        Resident.objects.bulk_create(self.residents, batch_size=BATCH)
        PartyMember.objects.bulk_create(self.members, batch_size=BATCH)
        CadrePost.objects.bulk_create(self.posts, batch_size=BATCH)
        through = Household.tags.through
        through.objects.bulk_create(
            [through(household_id=h.pk, householdtag_id=t.pk) for h, t in self.tag_links],
            batch_size=BATCH,
        )

    def _accounts(self, county: Region) -> tuple[dict[str, int], Region]:
        """The demo logins; the grid member's account is linked to the member in the register."""
        township = Region.objects.get(level=Level.TOWNSHIP, name=TOWNSHIP_A)
        village = Region.objects.get(
            level=Level.VILLAGE, name=DEMO_VILLAGE, path__startswith=township.path
        )
        accounts: dict[str, int] = {}
        for username, role, scope, full_name in (
            ("county", Role.COUNTY_ADMIN, county, ""),
            ("township", Role.TOWNSHIP_ADMIN, township, ""),
            ("village", Role.VILLAGE_SECRETARY, village, self.demo_people["village"]),
            ("member", Role.GRID_MEMBER, village, self.demo_people["member"]),
        ):
            user = account_services.user_create(
                username=username,
                password=PASSWORD,
                role=role,
                scope_region=scope,
                full_name=full_name,
            )
            accounts[username] = user.pk
        User.objects.filter(pk=accounts["member"]).update(person=self.demo_member)
        return accounts, village
