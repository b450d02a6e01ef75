"""The demo county's service loop: volunteer teams, county expert teams and departments, the
requests (点单→派单→接单→办结→评价) from the plan's ``data_start`` to the build day with their
histories, the villages' monthly 民情碰头会, the reminders of the demo accounts and the sweep's
monthly cut-offs. The last six months have today's rate of requests; before them, a third of it
(the star years read those months, few pages do), so that the build stays fast.

**A function of the reference date.** Every draw comes from a stream of its own
(``plan.stream``): a village's requests of a month from one keyed by the village and the month,
each request's life from one keyed by the request; teams and codes from theirs. How many values
one village or request draws never shifts another's.

**The plan by construction.** Over each star year (as far as it has run), a village's orders meet
the three order metrics of the village standard exactly when ``plan.meets`` says so, by decks and
fixed ranks rather than coin flips:

- 满意率 (satisfied or basically satisfied of the rated): the first ratings of a village's orders
  of a year are unsatisfied at fixed ranks, one in twenty (never before the 17th) for a village
  that meets it, one in five (the first of the year among them) for one that does not;
- 矛盾纠纷化解率: every dispute of a village that meets it is resolved by the build day (at the
  village, and the same or the next day when it came in the last weeks; none comes in on the
  build day's eve); a village that does not sees its first, fourth, seventh... dispute of the
  year withdrawn (its share resolved is at most two thirds). The category deck gives every
  village two disputes in every 26 requests;
- 小事不出村占比: the level an order is meant to be solved at is dealt from a deck of ten per
  village and year, one card up for a village that meets it, five for one that does not; an order
  meant for the village is resolved before the cut-off that would send it up.

Calling the services once per move would take minutes for ten thousand orders, so each order's life
is simulated here in Python and written with ``bulk_create``. The simulation follows the same rules
the services and the sweep apply, so that the stored rows are what the services would have written:

- every move is a step of ``orders.states.TRANSITIONS`` with its event row (the events of an order
  replay to its stored status and level);
- due dates, response and resolution times use the working-day calendar exactly as the services do
  (``add_workdays`` from the day of receipt, escalation or reopening; ``workdays_between`` from the
  day of receipt);
- the sweep runs every few minutes: an open order is flagged overdue at the first sweep after its
  due date (with the overdue reminder of the sweep), and on each month's cut-off day an open order
  marked for escalation or overdue goes up one level (village → township on the 20th, township →
  county on the 28th, moved to the previous working day), once per month and level (``SweepRun``).

The data ends at 00:05 on the build day, just after that day's first sweep: nothing happened later
than that, so the same ``today`` always gives the same orders.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.models import User
from zhenxing.core.selectors import work_calendar
from zhenxing.core.workdays import WorkCalendar
from zhenxing.demo.plan import Deck, DemoPlan, stream
from zhenxing.orders.models import (
    Category,
    Decision,
    Mediation,
    Meeting,
    MeetingItem,
    Notice,
    NoticeKind,
    Order,
    OrderEvent,
    Rating,
    Source,
    SweepRun,
    Team,
    TeamKind,
)
from zhenxing.orders.services import CODE_ALPHABET, CODE_LENGTH
from zhenxing.orders.states import (
    LEVEL_DEPTH,
    NEXT_LEVEL,
    OPEN,
    REQUESTER,
    SYSTEM,
    TRANSITIONS,
    Action,
    Actor,
    Level,
    Status,
)
from zhenxing.regions.models import (
    COLLEGE_OR_ABOVE,
    VILLAGE_LEVELS,
    CadrePost,
    Household,
    MemberStatus,
    PartyMember,
    Post,
    Region,
    Resident,
)
from zhenxing.regions.models import Level as RegionLevel

DENSE_DAYS = 183  # the last six months before the build day have today's rate of requests
EARLY_RATE = 1 / 3  # the months before them, a third of it
QUICK_DAYS = 45  # a dispute that must be resolved and came in this recently is settled at once
SWEEP_TIME = dt.time(0, 5)  # the first sweep of a day; the data ends with the build day's
BATCH = 2000

REQUESTER_LABEL = Actor(kind=REQUESTER).label
SYSTEM_LABEL = Actor(kind=SYSTEM).label

# How many requests a village sends a month (at today's rate): 12 + households / 20, between 15
# and 40.
PER_MONTH = (12, 20, 15, 40)
DAY_OFF_WEIGHT = 0.65  # fewer requests on weekends and holidays

SOURCES = (
    (Source.QR, 55),
    (Source.VISIT, 25),
    (Source.HOTLINE, 10),
    (Source.MEETING, 5),
    (Source.WALK_IN, 5),
)
# The categories of a village's requests of a year, dealt from a deck of 26 cards (by name; a
# category the county added gets OTHER_CARDS): every 26 requests hold two disputes.
CATEGORY_CARDS = {
    "环境卫生": 5,
    "基础设施": 5,
    "社会保障": 3,
    "政策咨询": 3,
    "农技指导": 2,
    "矛盾纠纷": 2,
    "生活困难求助": 2,
    "就业创业": 2,
    "其他": 2,
}
OTHER_CARDS = 1
DISPUTE_METRIC = "dispute_resolution_rate"
SATISFACTION_METRIC = "orders_satisfaction_rate"
SOLVED_METRIC = "orders_solved_in_village_share"
WITHDRAW_SHARE = 0.025
# The level an order is meant to be solved at, dealt per village and year from a deck of ten:
# the cards sent up, for a village that meets 小事不出村 and for one that does not; of those, the
# share meant for the county.
LEVEL_DECK = 10
UP_CARDS = {True: 1, False: 5}
COUNTY_SHARE = 0.2
# A village's disputes of a year that are withdrawn unresolved when it misses 化解率: every third.
UNRESOLVED_EVERY = 3
LATE_SHARE = {Level.VILLAGE: 0.07, Level.TOWNSHIP: 0.12, Level.COUNTY: 0.12}
RESPONSE_DELAYS = ((0, 58), (1, 33), (2, 6), (3, 3))  # working days from receipt to 派单
# The first ratings of a village's orders of a year, by rank: one in UNSATISFIED_EVERY is
# unsatisfied, at a rank from UNSATISFIED_AT (so no year to date of a village that meets 满意率
# falls below 94 %; one that misses it stays near 80 %, its settled disputes' good ratings
# taking no rank).
UNSATISFIED_EVERY = {True: 20, False: 5}
UNSATISFIED_AT = {True: (16, 19), False: (0, 0)}
GOOD_RATING = ((Rating.SATISFIED, 85), (Rating.BASIC, 15))
LATER_RATING = ((Rating.SATISFIED, 45), (Rating.BASIC, 45), (Rating.UNSATISFIED, 10))
LAST_RATING = ((Rating.SATISFIED, 50), (Rating.BASIC, 50))
NEVER_RATED = 0.03
MEDIATION = ((Mediation.SETTLED, 72), (Mediation.PARTIAL, 16), (Mediation.FAILED, 12))
MEETING_ITEM_CHANCE = 0.55

VOLUNTEERS = (4, 8)
EXPERT_TEAMS = (
    ("政策咨询服务团", "政策咨询"),
    ("农技指导服务团", "农技指导"),
    ("司法调解服务团", "司法调解"),
)
DEPARTMENTS = ("县民政局", "县农业农村局", "县人社局", "县住建局", "县司法局")
COUNTY_TEAMS = {
    "政策咨询": ("政策咨询服务团", "县民政局"),
    "生活困难求助": ("县民政局",),
    "社会保障": ("县人社局", "县民政局", "政策咨询服务团"),
    "农技指导": ("农技指导服务团", "县农业农村局"),
    "就业创业": ("县人社局",),
    "环境卫生": ("县农业农村局", "县住建局"),
    "基础设施": ("县住建局", "县农业农村局"),
    "矛盾纠纷": ("司法调解服务团", "县司法局"),
}
COUNTY_TEAMS_OTHER = ("政策咨询服务团",)

MOBILE_IPS = ("223.104", "117.136", "39.144", "112.97", "183.199", "36.157")

VILLAGE_PLACES = (
    "村东头",
    "村西头",
    "村南头",
    "村北头",
    "村口",
    "小学门口",
    "文化广场",
    "卫生室旁边",
    "大坑边",
    "东大街",
    "西大街",
    "老戏台附近",
    "村委会门口",
    "水塔旁边",
)
COMMUNITY_PLACES = (
    "小区东门",
    "3号楼前",
    "菜市场门口",
    "社区广场",
    "幼儿园门口",
    "背街小巷",
    "老街路口",
    "5号楼后面",
    "社区服务中心门口",
)

# What villagers ask for, per category: {place}, {group} and {n} are filled in.
DESCRIPTIONS = {
    "环境卫生": (
        "{place}垃圾堆了好几天没人清运，气味很大",
        "{place}的垃圾桶坏了，垃圾散落一地",
        "{place}排水沟堵了，污水漫到路上",
        "有人在{place}乱倒建筑垃圾，希望清理",
        "{group}公厕没人打扫，卫生条件差",
        "{place}杂草长得太高，蚊虫多，希望组织清理",
        "{place}堆着秸秆，存在火灾隐患",
        "养殖户粪污直排到{place}，气味难闻",
        "{place}有人乱扔死鸡死鸭，担心传染病",
        "{place}坑塘水发黑发臭，希望治理",
        "{group}门前屋后柴草乱堆，影响村容",
    ),
    "基础设施": (
        "{place}路灯坏了{n}盏，晚上出行不便",
        "{group}到{place}的路面坑洼，下雨天积水没法走",
        "{place}自来水管道漏水，水压太低",
        "停水{n}天了，{group}好几户都没水吃",
        "{place}小桥护栏松动，孩子上学经过不安全",
        "{group}生产路被雨水冲坏，农机下不了地",
        "{place}电线杆倾斜，担心倒下伤人",
        "{group}手机信号差，网络经常断",
        "{place}下水道井盖丢了，夜里很危险",
        "{group}机井坏了，浇地用不上水",
        "{place}健身器材坏了{n}件，希望维修",
        "{group}几户电压不稳，电器用不了",
    ),
    "社会保障": (
        "家里老人今年满60岁，想问养老金怎么领取",
        "申请低保的材料交了一个多月，没有回音",
        "医保缴费后查询显示未参保，想核实一下",
        "孩子的残疾证快到期了，想问换证手续",
        "老人的高龄补贴这几个月没有到账",
        "外出务工回来，想转移医保关系不知道找谁",
        "住院报销比例有疑问，想咨询一下",
        "临时救助申请交上去了，想了解进度",
        "社保卡丢了，想问在哪里补办",
    ),
    "政策咨询": (
        "想了解今年种粮补贴的发放标准和时间",
        "宅基地上翻建新房需要办什么手续",
        "想问退役军人优待政策怎么申请",
        "土地流转合同怎么签才合规，想咨询",
        "听说有危房改造补助，想问自家符不符合",
        "孩子上大学想申请生源地助学贷款，流程是什么",
        "户口迁移需要准备哪些材料",
        "耕地地力保护补贴是否已经发放",
        "想了解农村养老保险提高档次缴费的好处",
    ),
    "生活困难求助": (
        "{group}独居老人行动不便，希望有人帮忙买药送菜",
        "房顶漏雨，老人一个人住没法修",
        "家里人住院，{n}亩麦子没人收，希望帮忙",
        "留守老人冬天取暖困难，希望给予帮助",
        "孩子生病花了不少钱，生活暂时困难",
        "腿脚不便，想请人帮忙到乡里办证件",
        "家里电线老化经常跳闸，想请人帮忙检修",
        "老人听力不好，想请人帮忙申请助听器",
    ),
    "农技指导": (
        "小麦叶子发黄，不知道是什么病，想请技术员看看",
        "玉米地里出现虫害，想问用什么药",
        "大棚蔬菜死苗多，希望专家来指导",
        "想发展肉牛养殖，需要技术指导",
        "果树不会修剪，想请人来教一下",
        "花生出苗率低，想请专家看看原因",
        "羊病了不吃草，想请兽医来看看",
        "想了解节水灌溉技术和补贴",
        "辣椒叶子打卷，想问怎么防治",
    ),
    "就业创业": (
        "想在附近找份工作，能不能帮忙推荐",
        "家里有劳动力想参加技能培训",
        "想申请创业担保贷款开个小超市",
        "在外务工被拖欠工资{n}千元，希望帮忙讨要",
        "想参加电商直播培训，卖自家农产品",
        "大学毕业回村，想了解返乡创业扶持政策",
        "村里的帮扶车间还招不招人",
    ),
    "矛盾纠纷": (
        "与邻居因宅基地边界发生争执，希望村里调解",
        "邻居房檐滴水落到我家院里，多次协商不成",
        "承包地地界不清，和{group}一户有矛盾",
        "兄弟几个因赡养老人的问题有纠纷",
        "邻居家狗咬伤了孩子，赔偿谈不拢",
        "流转土地的租金对方一直不给",
        "邻居修路占了我家自留地",
        "浇地排队用水起了争执，希望协调",
        "{place}两家因排水问题吵了起来，希望调解",
    ),
    "其他": (
        "希望在{place}增设健身器材",
        "建议村里多组织文艺活动",
        "村里广播早上声音太大，影响休息",
        "希望在{place}安装监控，防止偷盗",
        "{place}流浪狗太多，孩子上学害怕",
        "建议在{place}增设公交站点",
        "想给村里提个建议，农闲时办个夜校",
    ),
}
RESOLUTIONS = {
    "环境卫生": (
        "已安排保洁员清运完毕，并告知按时投放",
        "已组织党员志愿者清理干净",
        "已疏通排水沟，恢复通畅",
        "已更换新垃圾桶{n}个",
        "已联系养殖户整改，粪污集中收集处理",
    ),
    "基础设施": (
        "已联系电工更换路灯{n}盏，恢复照明",
        "已组织人员修补路面，积水已排除",
        "已联系供水站维修管道，恢复正常供水",
        "已报供电所扶正电线杆并加固",
        "已补装井盖并设置警示标志",
        "已维修机井，恢复灌溉",
    ),
    "社会保障": (
        "已上门讲解政策，协助准备材料并报乡镇审核",
        "已协助办理，待遇已恢复发放",
        "已联系医保站核实，参保信息已更正",
        "已协助在线申请，告知办理进度查询方式",
    ),
    "政策咨询": (
        "已电话答复政策内容，并送去政策明白纸",
        "已当面解答，告知办理流程和所需材料",
        "已协助查询，补贴已于本月发放",
    ),
    "生活困难求助": (
        "党员志愿者已上门帮忙，问题已解决",
        "已组织志愿服务队上门帮助",
        "已申请临时救助，并送去米面油",
        "已请电工上门检修，更换了老化线路",
    ),
    "农技指导": (
        "已请农技员到田间查看并指导用药",
        "已联系乡农技站上门指导，送去技术资料",
        "已请兽医上门诊治，牲畜已好转",
    ),
    "就业创业": (
        "已推荐到县城企业面试，已上岗",
        "已报名参加县里的技能培训班",
        "已协助联系劳动监察部门，工资已追回",
        "已讲解创业担保贷款政策，协助提交申请",
    ),
    "其他": (
        "已采纳建议，纳入村里下一步工作计划",
        "已协调有关方面解决",
        "已答复并说明情况",
    ),
}
MEDIATION_TEXTS = {
    Mediation.SETTLED: "经调解，双方达成一致并签订调解协议",
    Mediation.PARTIAL: "经调解，双方就主要问题达成一致，其余事项继续协商",
    Mediation.FAILED: "双方分歧较大，调解未成，已告知可通过司法途径解决",
}
LEVEL_PREFIX = {Level.VILLAGE: "", Level.TOWNSHIP: "经乡镇协调，", Level.COUNTY: "经县级部门办理，"}
RETURN_REASONS = (
    "本人外出务工，近期无法办理",
    "不熟悉这项业务，建议改派",
    "需要村两委统一协调",
    "身体原因，暂时无法承办",
)
WITHDRAW_REASONS = ("问题已自行解决", "已找亲戚帮忙解决了", "重复提交", "不需要了", "")
UNSATISFIED_REASONS = (
    "问题没有彻底解决，又出现了",
    "只是答复了，没有实际解决",
    "办理太慢",
    "处理结果和反映的不一样",
)
SATISFIED_REASONS = ("", "", "", "办得很快，谢谢", "态度很好", "问题解决了，满意")
BASIC_REASONS = ("", "", "解决了，就是时间有点长", "基本解决，希望以后多注意")
MARK_NOTES = {
    Level.VILLAGE: (
        "村级解决有困难，申请提交乡镇会商",
        "涉及资金较多，需乡镇协调",
        "跨村事务，需乡镇统一协调",
        "需要乡镇站所配合，申请上报",
    ),
    Level.TOWNSHIP: (
        "乡镇解决有困难，申请提交县级会商",
        "需县直部门支持",
        "涉及政策把握，需县里研究",
    ),
}
URGE_NOTES = ("已超过办结时限，请抓紧办理并及时反馈", "群众反映强烈，请尽快办结")
REVIEW_NOTES = ("", "", "继续跟进，下周反馈", "协调相关户，尽快办结")
MEETING_ATTENDEES = "村两委成员、网格员、党员代表、村民代表"

Who = tuple[int | None, str]  # (actor_id, actor_label) of an event


def _pick(rng: random.Random, weighted: tuple) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class _Member:
    id: int
    person_id: int
    name: str
    user_id: int | None = None


@dataclass
class _Team:
    id: int
    name: str
    members: list[_Member]


@dataclass
class _Unit:
    """A village or community and who works there."""

    region: Region
    township: Region
    district: Region | None
    households: list[tuple[int, str, list[tuple[str, str]]]]  # (pk, group, [(name, phone)])
    members: list[_Member]
    secretary: str
    handler: Who
    loggers: list[Who]
    team: _Team | None = None
    liaisons: list[_Member] = field(default_factory=list)
    meetings: list[dt.datetime] = field(default_factory=list)
    items: dict[int, list[tuple[_Row, str, str]]] = field(default_factory=dict)
    # Per star year: the decks of categories and levels, and the counts the plan's ranks use.
    decks: dict[tuple[str, int], Deck] = field(default_factory=dict)
    code_stream: random.Random = field(default_factory=random.Random)
    ranks: Counter[tuple[str, int]] = field(default_factory=Counter)

    @property
    def community(self) -> bool:
        return self.region.level == RegionLevel.COMMUNITY

    @property
    def code(self) -> str:
        return self.region.code

    def deck(self, purpose: str, year: int, cards: Callable[[], list]) -> Deck:
        key = (purpose, year)
        if key not in self.decks:
            self.decks[key] = Deck(stream(f"order-{purpose}", self.code, year), cards())
        return self.decks[key]

    def rank(self, purpose: str, year: int) -> int:
        """The next rank (0, 1, ...) of ``purpose`` in ``year``."""
        self.ranks[purpose, year] += 1
        return self.ranks[purpose, year] - 1


class _Row:
    """An order's columns as plain attributes (``attname``: ``village_id``...): building tens of
    thousands of model instances and saving them through the ORM would be most of the build."""

    def __init__(self, **values) -> None:
        self.__dict__.update(_ORDER_DEFAULTS)
        self.__dict__.update(values)


_ORDER_DEFAULTS = {
    f.attname: f.get_default() for f in Order._meta.concrete_fields if not f.primary_key
}

# An event as a tuple, in the order of these columns.
EVENT_COLUMNS = (
    "order_id",
    "action",
    "from_status",
    "to_status",
    "from_level",
    "to_level",
    "actor_id",
    "actor_label",
    "at",
    "note",
)


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows`` into ``model``'s table: COPY on PostgreSQL, executemany elsewhere (with the
    values in the form the backend stores them: SQLite keeps datetimes as text)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    fields = {f.column: f for f in model._meta.concrete_fields}
    kinds = [fields[c].get_internal_type() for c in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([v.value if isinstance(v, Enum) else v for v in row])
            return
        tz = connection.timezone  # as adapt_datetimefield_value, without its checks per value
        convert: dict[str, Callable] = {
            "DateTimeField": lambda v: str(v.astimezone(tz).replace(tzinfo=None)),
            "DateField": str,
            "CharField": lambda v: v.value if isinstance(v, Enum) else v,
        }
        steps = [convert.get(kind) for kind in kinds]
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model columns
        for i in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    [v if f is None or v is None else f(v) for f, v in zip(steps, row, strict=True)]
                    for row in rows[i : i + BATCH]
                ],
            )


@dataclass
class _Notice:
    order: _Row
    user_id: int
    kind: str
    text: str
    at: dt.datetime
    due_on: dt.date | None = None  # overdue reminders carry the sweep's key


def build_orders(
    *,
    county: Region,
    today: dt.date,
    accounts: dict[str, int],
    demo_village: Region,
    demo_member: PartyMember,
    plan: DemoPlan,
) -> dict[str, int]:
    """Teams, orders, events, meetings, reminders and cut-off runs of the demo county.

    ``accounts`` maps the demo usernames to user ids; ``demo_member`` (the grid member's Party
    membership) joins the demo village's volunteer team and takes some of its orders.
    """
    return _Generator(
        county=county,
        today=today,
        accounts=accounts,
        demo_village=demo_village,
        demo_member=demo_member,
        plan=plan,
    ).build()


class _Generator:
    def __init__(
        self,
        *,
        county: Region,
        today: dt.date,
        accounts: dict[str, int],
        demo_village: Region,
        demo_member: PartyMember,
        plan: DemoPlan,
    ) -> None:
        self.plan = plan
        self.county = county
        self.today = today
        self.tz = timezone.get_default_timezone()
        self.now = dt.datetime.combine(today, SWEEP_TIME, tzinfo=self.tz)
        self.start = plan.data_start
        self.dense_from = today - dt.timedelta(days=DENSE_DAYS)
        self.accounts = accounts
        self.demo_village = demo_village
        self.demo_member = demo_member
        # The services' calendar (with the admin's overrides), with every day of the window looked
        # up once: the same answers, without asking chinese_calendar again for each order.
        base = work_calendar()
        first, last = self.start - dt.timedelta(days=40), today + dt.timedelta(days=400)
        days = {
            first + dt.timedelta(days=i): base.is_workday(first + dt.timedelta(days=i))
            for i in range((last - first).days + 1)
        }
        self.cal = WorkCalendar(MappingProxyType({**days, **base.overrides}))
        self.cutoffs = {
            Level.VILLAGE: self._cutoffs(settings.ORDERS_TOWNSHIP_CUTOFF_DAY),
            Level.TOWNSHIP: self._cutoffs(settings.ORDERS_COUNTY_CUTOFF_DAY),
        }
        self.township_a_pk = (
            User.objects.filter(pk=accounts["township"])
            .values_list("scope_region", flat=True)
            .get()
        )
        self.moved: Counter[tuple[str, dt.datetime]] = Counter()
        self.codes: set[str] = set()
        self.notices: list[_Notice] = []

    # --- time -----------------------------------------------------------------------------

    def _cutoffs(self, day: int) -> list[dt.datetime]:
        """The month's cut-off instants (the first sweep of the cut-off day) from the first month
        of the window to two months after the build day."""
        out = []
        first = self.start.year * 12 + self.start.month - 1
        for index in range(first, self.today.year * 12 + self.today.month - 1 + 3):
            year, month = divmod(index, 12)
            rule = settings.ORDERS_CUTOFF_ON_DAY_OFF
            date = self.cal.cutoff(year, month + 1, day, on_day_off=rule)
            if date >= self.start:
                out.append(self.at(date, SWEEP_TIME))
        return out

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def minutes(self, rng: random.Random, day: dt.date, low: int, high: int) -> dt.datetime:
        """A time on ``day`` between ``low`` and ``high`` minutes after midnight."""
        return self.at(day, dt.time(0)) + dt.timedelta(minutes=rng.randint(low, high))

    def work_time(self, rng: random.Random, day: dt.date) -> dt.datetime:
        return self.minutes(rng, day, 8 * 60 + 30, 18 * 60)

    def after(self, rng: random.Random, prev: dt.datetime, day: dt.date) -> dt.datetime:
        """A moment on ``day`` (not before ``prev``'s day) later than ``prev``: on the same day a
        little later, unless that is too late in the evening (then the next working morning)."""
        prev_day = prev.date()
        if day > prev_day:
            return self.work_time(rng, day)
        later = prev + dt.timedelta(minutes=rng.randint(10, 180))
        if later.date() == prev_day and later.hour < 8:  # after the night's sweep
            return self.minutes(rng, prev_day, 8 * 60, 10 * 60)
        if later.date() == prev_day and later.hour < 21:
            return later
        return self.minutes(rng, self.cal.add_workdays(prev_day, 1), 8 * 60, 10 * 60)

    def soon(self, rng: random.Random, prev: dt.datetime) -> dt.datetime:
        """A little later than ``prev`` the same evening, or the next morning (working day or not):
        a dispute settled at once."""
        later = prev + dt.timedelta(minutes=rng.randint(10, 90))
        if later.date() == prev.date() and 8 <= later.hour < 20:
            return later
        day = prev.date() if prev.hour < 8 else prev.date() + dt.timedelta(days=1)
        return self.minutes(rng, day, 8 * 60, 11 * 60)

    # --- the build ------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        units = self._units()
        self._teams(units)
        for unit in units:
            self._meetings(unit)
        lives = self._lives(units)
        for life in lives:
            life.run()
        return self._write(units, lives)

    def _units(self) -> list[_Unit]:
        regions = {r.path: r for r in Region.objects.filter(path__startswith=self.county.path)}
        villages = sorted(
            (r for r in regions.values() if r.level in VILLAGE_LEVELS), key=lambda r: r.path
        )
        ids = [v.pk for v in villages]
        secretaries = dict(
            CadrePost.objects.filter(post=Post.SECRETARY, region__in=ids).values_list(
                "region_id", "person__name"
            )
        )
        members: dict[int, list[_Member]] = {pk: [] for pk in ids}
        for pk, person, name, region in (
            PartyMember.objects.filter(status=MemberStatus.ACTIVE, organization__region__in=ids)
            .order_by("pk")
            .values_list("pk", "person_id", "person__name", "organization__region_id")
        ):
            members[region].append(_Member(pk, person, name))
        liaisons: dict[int, list[_Member]] = {}
        for district, pk, person, name in (
            CadrePost.objects.filter(post=Post.LIAISON, person__membership__isnull=False)
            .order_by("pk")
            .values_list("region_id", "person__membership", "person_id", "person__name")
        ):
            liaisons.setdefault(district, []).append(_Member(pk, person, name))
        adults: dict[int, list[tuple[str, str]]] = {}
        born_before = dt.date(self.today.year - 18, self.today.month, min(self.today.day, 28))
        for household, name, phone in (
            Resident.objects.filter(
                region__in=ids, household__isnull=False, birth_date__lte=born_before
            )
            .exclude(phone="")
            .order_by("pk")
            .values_list("household_id", "name", "phone")
        ):
            adults.setdefault(household, []).append((name, phone))
        households: dict[int, list] = {pk: [] for pk in ids}
        for pk, village, group, head, phone in (
            Household.objects.filter(village__in=ids)
            .order_by("pk")
            .values_list("pk", "village_id", "group__name", "head_name", "phone")
        ):
            households[village].append((pk, group or "", adults.get(pk) or [(head, phone)]))

        units = []
        for village in villages:
            township = next(
                regions[village.path[:i]]
                for i in range(len(village.path) - 4, 0, -4)
                if regions[village.path[:i]].level == RegionLevel.TOWNSHIP
            )
            parent = regions[village.path[:-4]]
            district = parent if parent.level == RegionLevel.DISTRICT else None
            secretary = secretaries.get(village.pk, "")
            if village.pk == self.demo_village.pk:
                handler: Who = (self.accounts["village"], "")
                loggers: list[Who] = [(self.accounts["member"], ""), handler]
            else:
                handler = (None, f"{secretary}（村党支部书记）")
                loggers = [(None, "网格员"), handler]
            units.append(
                _Unit(
                    region=village,
                    township=township,
                    district=district,
                    households=households[village.pk],
                    members=members[village.pk],
                    secretary=secretary,
                    handler=handler,
                    loggers=loggers,
                    liaisons=liaisons.get(district.pk, []) if district else [],
                )
            )
        for unit in units:
            unit.code_stream = stream("order-codes", unit.code)
        self.unit_codes = {unit.region.pk: unit.code for unit in units}
        self.members = {m.id: m for u in units for m in (*u.members, *u.liaisons)}
        self.members[self.demo_member.pk].user_id = self.accounts["member"]
        return units

    def _teams(self, units: list[_Unit]) -> None:
        """A volunteer team in every village; the county's expert teams and departments."""
        teams: list[tuple[Team, list[_Member]]] = []
        for unit in units:
            rng = stream("order-volunteers", unit.code)
            pool = list(unit.members)
            picked = rng.sample(pool, min(len(pool), rng.randint(*VOLUNTEERS)))
            if unit.region.pk == self.demo_village.pk:
                demo = next(m for m in pool if m.id == self.demo_member.pk)
                if demo not in picked:
                    picked[0] = demo
            suffix = "志愿服务队"
            teams.append(
                (
                    Team(
                        region=unit.region, kind=TeamKind.VOLUNTEER, name=unit.region.name + suffix
                    ),
                    picked,
                )
            )
        college = list(
            PartyMember.objects.filter(
                status=MemberStatus.ACTIVE,
                person__education__in=COLLEGE_OR_ABOVE,
                organization__region__path__startswith=self.county.path,
            )
            .order_by("pk")
            .values_list("pk", "person_id", "person__name")
        )
        rng = stream("order-experts")
        experts = rng.sample(college, min(len(college), 6 * len(EXPERT_TEAMS)))
        for i, (name, specialty) in enumerate(EXPERT_TEAMS):
            chosen = [
                self.members.setdefault(pk, _Member(pk, person, person_name))
                for pk, person, person_name in experts[6 * i : 6 * i + rng.randint(4, 6)]
            ]
            teams.append(
                (
                    Team(region=self.county, kind=TeamKind.EXPERT, name=name, specialty=specialty),
                    chosen,
                )
            )
        teams += [
            (Team(region=self.county, kind=TeamKind.DEPARTMENT, name=name), [])
            for name in DEPARTMENTS
        ]
        Team.objects.bulk_create([team for team, _ in teams])
        through = Team.members.through
        through.objects.bulk_create(
            [
                through(team_id=team.pk, partymember_id=member.id)
                for team, picked in teams
                for member in picked
            ],
            batch_size=BATCH,
        )
        self.teams = {team.pk: _Team(team.pk, team.name, picked) for team, picked in teams}
        by_region = {team.region_id: team.pk for team, _ in teams}
        for unit in units:
            unit.team = self.teams[by_region[unit.region.pk]]
        self.county_teams = {
            team.name: self.teams[team.pk] for team, _ in teams if team.region_id == self.county.pk
        }

    def _months(self) -> list[tuple[int, int]]:
        """The (year, month) of the window, from ``data_start`` to the build day."""
        first = self.start.year * 12 + self.start.month - 1
        last = self.today.year * 12 + self.today.month - 1
        return [(i // 12, i % 12 + 1) for i in range(first, last + 1)]

    def _meetings(self, unit: _Unit) -> None:
        """A 民情碰头会 a month, on a working day between the 8th and the 14th."""
        for year, month in self._months():
            rng = stream("order-meetings", unit.code, f"{year}-{month:02d}")
            held = self.cal.add_workdays(dt.date(year, month, rng.randint(8, 14)), 0)
            when = self.minutes(rng, held, 15 * 60, 16 * 60 + 30)
            if self.start < held and when < self.now:
                unit.meetings.append(when)

    def _lives(self, units: list[_Unit]) -> list[_Life]:
        categories = list(Category.objects.filter(active=True).order_by("sort", "pk"))
        cards = [c for c in categories for _ in range(CATEGORY_CARDS.get(c.name, OTHER_CARDS))]
        last = self.today - dt.timedelta(days=1)
        base, per, low, high = PER_MONTH
        drafts = []
        for unit in units:
            monthly = base + len(unit.households) / per
            monthly *= stream("order-rate", unit.code).uniform(0.85, 1.15)
            monthly = min(high, max(low, monthly))
            for year, month in self._months():
                rng = stream("order-days", unit.code, f"{year}-{month:02d}")
                first = max(dt.date(year, month, 1), self.start)
                days = [
                    first + dt.timedelta(days=i)
                    for i in range(31)
                    if (first + dt.timedelta(days=i)).month == month
                    and first + dt.timedelta(days=i) <= last
                ]
                if not days:
                    continue
                rates = [1.0 if d >= self.dense_from else EARLY_RATE for d in days]
                weights = [
                    r * (1.0 if self.cal.is_workday(d) else DAY_OFF_WEIGHT)
                    for r, d in zip(rates, days, strict=True)
                ]
                total = round(monthly * sum(rates) / 30.4)
                for day in sorted(rng.choices(days, weights=weights, k=total)):
                    source = _pick(rng, SOURCES)
                    if source == Source.QR:  # mornings and evenings, when people are at home
                        hour = rng.choices(
                            range(6, 23),
                            weights=(1, 3, 5, 5, 4, 3, 3, 2, 2, 3, 3, 3, 4, 6, 6, 5, 2),
                        )[0]
                        created = self.minutes(rng, day, hour * 60, hour * 60 + 59)
                    elif source == Source.MEETING:
                        created = self.minutes(rng, day, 16 * 60, 18 * 60)
                    else:
                        created = self.minutes(rng, day, 8 * 60 + 30, 17 * 60 + 30)
                    drafts.append((created, unit, source))
        drafts.sort(key=lambda d: (d[0], d[1].region.path))
        # Categories are dealt per village and year in the order the requests came in.
        out = []
        for created, unit, source in drafts:
            category = self._category(unit, created, cards)
            out.append(_Life(self, created, unit, category, source))
        return out

    def _category(self, unit: _Unit, created: dt.datetime, cards: list[Category]) -> Category:
        """The next card of the village's category deck of the year. A dispute the village must
        resolve is not dealt to a request of the build day's eve (it could not be settled by the
        end of the data): it goes back under the deck."""
        deck = unit.deck("categories", created.year, lambda: cards[:])
        card = deck.draw()
        late = created.date() >= self.today - dt.timedelta(days=1)
        if card.is_dispute and late and self.plan.meets(unit.code, DISPUTE_METRIC, created.year):
            others = [c for c in deck.left if not c.is_dispute]
            if others:  # the next card that is no dispute, the dispute back under the deck
                deck.left.remove(others[-1])
                deck.put_back(card)
                return others[-1]
            return next(c for c in cards if not c.is_dispute)
        return card

    def code(self, unit: _Unit) -> str:
        """A tracking code from the village's own stream (unique over the county)."""
        rng = unit.code_stream
        while True:
            code = "".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def next_cutoff(self, level: str, after: dt.datetime) -> dt.datetime | None:
        return next((c for c in self.cutoffs[level] if c > after), None)

    def county_team(self, rng: random.Random, category: Category) -> _Team:
        names = COUNTY_TEAMS.get(category.name, COUNTY_TEAMS_OTHER)
        return self.county_teams[rng.choice(names)]

    def handler(self, unit: _Unit, level: str) -> Who:
        if level == Level.VILLAGE:
            return unit.handler
        if level == Level.TOWNSHIP:
            if unit.township.pk == self.township_a_pk:
                return (self.accounts["township"], "")
            return (None, f"{unit.township.name}（乡镇管理员）")
        return (self.accounts["county"], "")

    def handler_accounts(self, unit: _Unit, level: str) -> list[int]:
        user_id = self.handler(unit, level)[0]
        return [user_id] if user_id else []

    def supervisor(self, unit: _Unit, level: str) -> Who:
        """Who presses (督办) an order: the township over a village, the county over a township."""
        return self.handler(unit, NEXT_LEVEL[level])

    # --- writing --------------------------------------------------------------------------

    def _write(self, units: list[_Unit], lives: list[_Life]) -> dict[str, int]:
        orders = [life.o for life in lives]
        first = (Order.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        for pk, row in enumerate(orders, start=first):
            row.id = pk
        columns = tuple(f.attname for f in Order._meta.concrete_fields)
        _insert(Order, columns, [tuple(row.__dict__[c] for c in columns) for row in orders])
        with connection.cursor() as cursor:  # the ids were given here: move the sequence on
            for sql in connection.ops.sequence_reset_sql(no_style(), [Order]):
                cursor.execute(sql)
        events = [(e[0].id, *e[1:]) for life in lives for e in life.events]
        _insert(OrderEvent, EVENT_COLUMNS, events)

        meetings: list[tuple[Meeting, list[tuple[_Row, str, str]]]] = []
        recorded: list[dt.datetime] = []
        for unit in units:
            created_by = unit.handler[0]
            for index, when in enumerate(unit.meetings):
                items = unit.items.get(index)
                if not items:
                    continue
                counts = Counter(decision for _, decision, _ in items)
                note = f"梳理群众诉求 {len(items)} 件：" + "，".join(
                    f"{Decision(d).label} {counts[d]} 件" for d in Decision.values if counts[d]
                )
                meeting = Meeting(
                    region=unit.region,
                    held_on=when.date(),
                    attendees=MEETING_ATTENDEES,
                    note=note,
                    created_by_id=created_by,
                )
                meetings.append((meeting, items))
                recorded.append(when)
        Meeting.objects.bulk_create([m for m, _ in meetings], batch_size=BATCH)
        for (meeting, _items), when in zip(meetings, recorded, strict=True):
            meeting.created_at = when  # auto_now_add stamped the clock: recorded at the meeting
        Meeting.objects.bulk_update([m for m, _ in meetings], ["created_at"], batch_size=500)
        MeetingItem.objects.bulk_create(
            [
                MeetingItem(meeting=meeting, order_id=order.id, decision=decision, note=note)
                for meeting, items in meetings
                for order, decision, note in items
            ],
            batch_size=BATCH,
        )

        notices = []
        readers: dict[int, random.Random] = {}  # per village, in the order the orders were run
        for n in self.notices:
            if n.order.village_id not in readers:
                readers[n.order.village_id] = stream(
                    "order-notices", self.unit_codes[n.order.village_id]
                )
            rng = readers[n.order.village_id]
            read = None
            if n.at < self.now - dt.timedelta(days=2) or rng.random() < 0.5:
                read = min(n.at + dt.timedelta(minutes=rng.randint(20, 36 * 60)), self.now)
            key = f"{n.kind}:{n.order.id}:{n.due_on:%Y-%m-%d}:{n.user_id}" if n.due_on else None
            notices.append(
                Notice(
                    user_id=n.user_id,
                    order_id=n.order.id,
                    kind=n.kind,
                    text=n.text[:200],
                    key=key,
                    created_at=n.at,
                    read_at=read if read and read > n.at else None,
                )
            )
        Notice.objects.bulk_create(notices, batch_size=BATCH, ignore_conflicts=True)

        runs = [
            SweepRun(
                kind=f"cutoff:{level}",
                key=f"{instant:%Y-%m}",
                ran_at=instant,
                moved=self.moved[level, instant],
            )
            for level, instants in self.cutoffs.items()
            for instant in instants
            if instant <= self.now
        ]
        SweepRun.objects.bulk_create(runs, ignore_conflicts=True)
        return {
            "orders": len(orders),
            "events": len(events),
            "teams": len(self.teams),
            "meetings": len(meetings),
            "notices": len(notices),
        }


class _Life:
    """One order from 点单 to the end of the data: its planned next move, and what happens to it
    between moves (the sweep's flag, the month's cut-off, a supervisor's 督办, a 碰头会)."""

    def __init__(
        self,
        g: _Generator,
        created: dt.datetime,
        unit: _Unit,
        category: Category,
        source: str,
    ) -> None:
        self.g = g
        self.rng = rng = stream("order", unit.code, created.isoformat())
        self.unit = unit
        self.category = category
        self.dispute = category.is_dispute
        self.year = year = created.year
        plan, code = g.plan, unit.code
        pk, group, people = rng.choice(unit.households)
        name, phone = rng.choice(people)
        places = COMMUNITY_PLACES if unit.community else VILLAGE_PLACES
        texts = DESCRIPTIONS.get(category.name, DESCRIPTIONS["其他"])
        description = rng.choice(texts).format(
            place=rng.choice(places), group=group or rng.choice(places), n=rng.randint(2, 5)
        )
        logger = None if source == Source.QR else rng.choice(unit.loggers)
        if source in (Source.MEETING, Source.WALK_IN):
            logger = unit.handler
        today = created.date()
        self.o = _Row(
            code=g.code(unit),
            village_id=unit.region.pk,
            household_id=None if logger is None else pk,
            category_id=category.pk,
            description=description,
            requester_name=name,
            requester_phone=phone,
            client_ip=(
                f"{rng.choice(MOBILE_IPS)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                if logger is None
                else None
            ),
            source=source,
            owner_id=logger[0] if logger else None,
            created_by_id=logger[0] if logger else None,
            created_at=created,
            level_entered_at=created,
            due_on=g.cal.add_workdays(today, category.time_limit_days),
        )
        self.events: list[tuple] = []
        self.t = created
        self.pending: tuple[dt.datetime, Callable[[dt.datetime], None]] | None = None
        self.waiting = False  # no move planned: only the sweep, a supervisor or a meeting acts
        # A dispute of a village that must resolve its disputes (the plan) is settled at the
        # village, and at once when it came in lately; one of a village that misses 化解率 is
        # withdrawn unresolved when its rank among the year's disputes says so.
        self.must_resolve = self.dispute and plan.meets(code, DISPUTE_METRIC, year)
        self.quick = self.must_resolve and created > g.now - dt.timedelta(days=QUICK_DAYS)
        unresolved = (
            self.dispute
            and not self.must_resolve
            and unit.rank("disputes", year) % UNRESOLVED_EVERY == 0
        )
        level = unit.deck("levels", year, lambda: self._level_cards(plan, code, year)).draw()
        if unresolved:
            self.target = "withdraw"
        elif self.must_resolve:
            self.target = Level.VILLAGE
        elif rng.random() < WITHDRAW_SHARE:
            self.target = "withdraw"
        elif level == Level.TOWNSHIP and rng.random() < COUNTY_SHARE:
            self.target = Level.COUNTY
        else:
            self.target = level
        self.let_run_over = rng.random() < 0.35  # escalate by running overdue, not by a mark
        self.rounds = 0  # ratings so far
        self.never_rated = rng.random() < NEVER_RATED
        self.meeting_index = 0
        self._round(today)
        self._event(
            Action.SUBMIT, created, logger or (None, REQUESTER_LABEL), from_status="", from_level=""
        )

    @staticmethod
    def _level_cards(plan: DemoPlan, code: str, year: int) -> list[str]:
        up = UP_CARDS[plan.meets(code, SOLVED_METRIC, year)]
        return [Level.TOWNSHIP] * up + [Level.VILLAGE] * (LEVEL_DECK - up)

    def _round(self, entry: dt.date) -> None:
        """A fresh start at a level (receipt, escalation) or after reopening."""
        self.entry = entry
        self.resolve_day: dt.date | None = None
        self.urge_at: dt.datetime | None = None
        self.returned = False
        self.returned_from: tuple[int | None, int | None] = (None, None)
        self.dispatched = False

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        end = self.g.now
        while True:
            if self.pending is None and not self.waiting:
                self.pending = self._plan()
                self.waiting = self.pending is None
            if self.o.status not in OPEN and self.pending is None:
                break  # done, or resolved and never rated
            until = self.pending[0] if self.pending else end + dt.timedelta(microseconds=1)
            if self._interject(min(until, end + dt.timedelta(microseconds=1))):
                self.pending, self.waiting = None, False
                continue
            if self.pending is None or self.pending[0] > end:
                break
            when, move = self.pending
            self.pending = None
            move(when)

    def _interject(self, until: dt.datetime) -> bool:
        """Process what happens to the open order before ``until``; True when its plan is void."""
        g = self.g
        while self.o.status in OPEN:
            o = self.o
            found: list[tuple[dt.datetime, int, str]] = []
            if not o.overdue:
                flag = g.at(o.due_on + dt.timedelta(days=1), SWEEP_TIME)
                if self.t < flag < until:
                    found.append((flag, 0, "flag"))
            if o.level in NEXT_LEVEL:
                cutoff = g.next_cutoff(o.level, self.t)
                if cutoff is not None and cutoff < until:
                    found.append((cutoff, 1, "cutoff"))
            if self.urge_at is not None and self.t < self.urge_at < until:
                found.append((self.urge_at, 2, "urge"))
            if o.level == Level.VILLAGE:
                meetings = self.unit.meetings
                while self.meeting_index < len(meetings) and meetings[self.meeting_index] <= self.t:
                    self.meeting_index += 1
                if self.meeting_index < len(meetings) and meetings[self.meeting_index] < until:
                    found.append((meetings[self.meeting_index], 3, "meeting"))
            if not found:
                return False
            when, _, kind = min(found)
            if kind == "flag":
                self._flag()
            elif kind == "cutoff":
                if o.overdue or o.escalate_mark:
                    self._escalate(when)
                    return True
                self.t = when
            elif kind == "urge":
                self.urge_at = None
                self._urge(when)
            else:
                self.meeting_index += 1
                if self._meeting(when):
                    return True
        return False

    def _plan(self) -> tuple[dt.datetime, Callable[[dt.datetime], None]] | None:
        """The next move the people involved make, and when; None: nobody moves on their own."""
        g, rng, o = self.g, self.rng, self.o
        status = o.status
        if status == Status.RESOLVED:
            if self.never_rated:
                return None
            if o.source == Source.QR and rng.random() < 0.7:
                day = self.t.date() + dt.timedelta(days=rng.randint(0, 3))
            else:  # 回访: the office calls the villager back
                day = g.cal.add_workdays(self.t.date(), rng.randint(1, 4))
            return g.after(rng, self.t, day), self._rate
        if status not in OPEN:
            return None
        if self.quick:  # a dispute settled at once: sent, taken and mediated the same day or next
            move = {
                Status.SUBMITTED: self._dispatch,
                Status.RETURNED: self._dispatch,
                Status.REOPENED: self._dispatch,
                Status.DISPATCHED: self._accept,
                Status.ACCEPTED: self._resolve,
            }[status]
            return g.soon(rng, self.t), move
        if self.target == "withdraw" and (status == Status.DISPATCHED or rng.random() < 0.5):
            day = self.t.date() + dt.timedelta(days=rng.randint(0, 3))
            return g.after(rng, self.t, day), self._withdraw
        if status in (Status.SUBMITTED, Status.RETURNED, Status.REOPENED):
            if self.dispatched:
                day = g.cal.add_workdays(self.t.date(), rng.choice((0, 0, 1)))
            else:
                delay = _pick(rng, RESPONSE_DELAYS)
                day = g.cal.add_workdays(max(self.entry, self.t.date()), delay)
            return g.after(rng, self.t, day), self._dispatch
        going_up = self.going_up
        if status == Status.DISPATCHED:
            if o.assignee_member_id and not going_up and not self.returned and rng.random() < 0.04:
                return g.after(rng, self.t, self.t.date()), self._return
            day = self.t.date() if rng.random() < 0.65 else g.cal.add_workdays(self.t.date(), 1)
            return g.after(rng, self.t, day), self._accept
        # accepted
        if going_up:
            if o.escalate_mark:
                return None
            cutoff = g.next_cutoff(o.level, self.t)
            if self.let_run_over and cutoff is not None and o.due_on < cutoff.date():
                return None
            day = g.cal.add_workdays(self.t.date(), rng.randint(1, 3))
            return g.after(rng, self.t, day), self._mark
        if o.assignee_member_id and not self.returned and rng.random() < 0.02:
            return g.after(rng, self.t, self.t.date()), self._return
        if self.resolve_day is None:
            limit = self.category.time_limit_days
            if rng.random() < LATE_SHARE[o.level] and not self.must_resolve:
                days = limit + rng.randint(1, 3)
            else:
                days = min(limit, int(rng.triangular(0, limit + 0.999, limit * 0.35)))
            self.resolve_day = g.cal.add_workdays(self.entry, days)
            if o.level == Level.VILLAGE and self.target == Level.VILLAGE:
                # Late, but before the cut-off that would send it up (meant for the village).
                cutoff = g.next_cutoff(o.level, g.at(o.due_on, SWEEP_TIME))
                if cutoff is not None:
                    self.resolve_day = min(self.resolve_day, cutoff.date() - dt.timedelta(days=1))
        return g.after(rng, self.t, max(self.resolve_day, self.t.date())), self._resolve

    # --- moves (as orders.services makes them) --------------------------------------------

    def _event(
        self,
        action: str,
        when: dt.datetime,
        who: Who,
        *,
        note: str = "",
        from_status: str | None = None,
        from_level: str | None = None,
        **changes,
    ) -> None:
        o = self.o
        if from_status is None:
            from_status, from_level = o.status, o.level
            o.status = changes.pop("status", TRANSITIONS[o.status, action])
        for name, value in changes.items():
            setattr(o, name, value)
        self.events.append(
            (o, action, from_status, o.status, from_level, o.level, who[0], who[1], when, note)
        )
        o.updated_at = self.t = when

    def _notify(self, user_ids, kind: str, text: str, when: dt.datetime, due_on=None) -> None:
        for user_id in dict.fromkeys(u for u in user_ids if u):
            self.g.notices.append(_Notice(self.o, user_id, kind, text, when, due_on))

    def _member(self, member_id: int | None) -> _Member | None:
        return None if member_id is None else self.g.members[member_id]

    def _team(self, team_id: int | None) -> _Team | None:
        return None if team_id is None else self.g.teams[team_id]

    @property
    def going_up(self) -> bool:
        """Whether the order is meant to be solved above its current level."""
        return LEVEL_DEPTH.get(self.target, 0) > LEVEL_DEPTH[self.o.level]

    def _assignee_accounts(self) -> list[int]:
        """Accounts of the member the order was sent to, or of the team's members."""
        o = self.o
        if o.assignee_member_id:
            member = self._member(o.assignee_member_id)
            return [member.user_id] if member.user_id else []
        team = self._team(o.assignee_team_id)
        return [m.user_id for m in team.members if m.user_id] if team else []

    def _taker_account(self) -> int | None:
        member = self._member(self.o.assignee_member_id)
        return member.user_id if member else None

    def _who(self, member: _Member, role: str = "党员") -> Who:
        return (member.user_id, "") if member.user_id else (None, f"{member.name}（{role}）")

    def _dispatch(self, when: dt.datetime) -> None:
        g, rng, o, unit = self.g, self.rng, self.o, self.unit
        member: _Member | None = None
        team: _Team | None = None
        if o.level == Level.VILLAGE:
            demo = next((m for m in unit.members if m.user_id), None)
            roll = rng.random()
            if demo is not None and roll < 0.3:
                member = demo
            elif roll < 0.6 or not unit.team.members:
                member = rng.choice(unit.members)
            else:
                team = unit.team
        elif o.level == Level.TOWNSHIP:
            if unit.liaisons and rng.random() < 0.7:
                member = rng.choice(unit.liaisons)
            else:
                team = unit.team
        else:
            team = g.county_team(rng, self.category)
        if self.returned and (member and member.id, team and team.id) == self.returned_from:
            # Sent on to someone else than who handed it back.
            others = [m for m in unit.members if m is not member]
            team, member = (unit.team, None) if member else (None, rng.choice(others))
        changes: dict = {
            "assignee_member_id": member.id if member else None,
            "assignee_team_id": team.id if team else None,
            "owner_id": o.owner_id or g.handler(unit, o.level)[0],
        }
        if o.responded_at is None:
            created = o.created_at.date()
            changes["responded_at"] = when
            changes["responded_in_time"] = (
                g.cal.workdays_between(created, when.date()) <= self.category.response_days
            )
        target = member.name if member else team.name
        self._event(Action.DISPATCH, when, g.handler(unit, o.level), note=target, **changes)
        self.dispatched = True
        self._notify(
            self._assignee_accounts(),
            NoticeKind.ASSIGNED,
            _("新工单 %(code)s：%(category)s") % {"code": o.code, "category": self.category},
            when,
        )

    def _accept(self, when: dt.datetime) -> None:
        o = self.o
        team = self._team(o.assignee_team_id)
        if team is not None and team.members:
            taker = self.rng.choice(team.members)
            self._event(Action.ACCEPT, when, self._who(taker), assignee_member_id=taker.id)
        elif team is not None:  # a department: the county office records it
            self._event(Action.ACCEPT, when, self.g.handler(self.unit, o.level))
        else:
            self._event(Action.ACCEPT, when, self._actor_for_assignee())

    def _actor_for_assignee(self) -> Who:
        member = self._member(self.o.assignee_member_id)
        if member is None:
            return self.g.handler(self.unit, self.o.level)
        role = "包村干部" if member in self.unit.liaisons else "党员"
        return self._who(member, role)

    def _return(self, when: dt.datetime) -> None:
        self.returned = True
        self.returned_from = (self.o.assignee_member_id, self.o.assignee_team_id)
        self._event(
            Action.RETURN,
            when,
            self._actor_for_assignee(),
            note=self.rng.choice(RETURN_REASONS),
            assignee_member_id=None,
            assignee_team_id=None,
        )

    def _resolve(
        self, when: dt.datetime, who: Who | None = None, resolution: str = "", mediation=""
    ) -> None:
        g, rng, o = self.g, self.rng, self.o
        name = self.category.name
        if not resolution:  # the taker's own words (a meeting writes its decision instead)
            if self.dispute:
                mediation = _pick(rng, MEDIATION)
                resolution = MEDIATION_TEXTS[mediation]
            else:
                texts = RESOLUTIONS.get(name, RESOLUTIONS["其他"])
                resolution = rng.choice(texts).format(n=rng.randint(2, 5))
            resolution = LEVEL_PREFIX[o.level] + resolution
        created = o.created_at.date()
        self._event(
            Action.RESOLVE,
            when,
            who or self._actor_for_assignee(),
            note=resolution,
            resolution=resolution,
            mediation=mediation if self.dispute else "",
            resolved_at=when,
            resolved_in_time=when.date() <= o.due_on,
            resolved_level=o.level,
            handling_workdays=g.cal.workdays_between(created, when.date()),
        )

    def _first_rating(self) -> tuple[str, bool]:
        """The first rating of the order, by its rank among the village's first ratings of the
        year (the plan's 满意率); True when it stays the last one (no rating after reopening).
        A dispute the village must resolve is never reopened, and takes no rank."""
        rng, unit = self.rng, self.unit
        if self.must_resolve:
            return _pick(rng, GOOD_RATING), False
        meets = self.g.plan.meets(unit.code, SATISFACTION_METRIC, self.year)
        if ("unsatisfied-at", self.year) not in unit.ranks:  # the first unsatisfied rank
            low, high = UNSATISFIED_AT[meets]
            offset = stream("order-unsatisfied", unit.code, self.year).randint(low, high)
            unit.ranks["unsatisfied-at", self.year] = offset
        rank = unit.rank("ratings", self.year)
        offset = unit.ranks["unsatisfied-at", self.year]
        if rank >= offset and (rank - offset) % UNSATISFIED_EVERY[meets] == 0:
            return Rating.UNSATISFIED, not meets
        return _pick(rng, GOOD_RATING), False

    def _rate(self, when: dt.datetime) -> None:
        g, rng, o = self.g, self.rng, self.o
        final = False
        if self.rounds == 0:
            rating, final = self._first_rating()
        else:
            rating = _pick(rng, LATER_RATING if self.rounds == 1 else LAST_RATING)
        self.rounds += 1
        who: Who = (None, REQUESTER_LABEL)
        if o.source != Source.QR or rng.random() < 0.3:
            who = g.handler(self.unit, o.level)  # rated over the phone (回访)
        if rating != Rating.UNSATISFIED:
            reason = rng.choice(SATISFIED_REASONS if rating == Rating.SATISFIED else BASIC_REASONS)
            self._event(
                Action.RATE,
                when,
                who,
                note=reason,
                rating=rating,
                rating_reason=reason,
                rated_at=when,
            )
            return
        reason = rng.choice(UNSATISFIED_REASONS)
        self._event(
            Action.REOPEN,
            when,
            who,
            note=reason,
            rating=rating,
            rating_reason=reason,
            rated_at=when,
            reopen_count=o.reopen_count + 1,
            resolved_at=None,
            resolved_in_time=None,
            handling_workdays=None,
            overdue=False,
            due_on=g.cal.add_workdays(when.date(), self.category.time_limit_days),
        )
        self._round(when.date())
        self.dispatched = True
        # Resolved again, not rated again (yet); a village that misses 满意率 keeps it so.
        self.never_rated = final or rng.random() < 0.35
        self._notify(
            [o.owner_id, *self._assignee_accounts()],
            NoticeKind.REOPENED,
            _("工单 %(code)s 群众不满意，已重新打开：%(reason)s")
            % {"code": o.code, "reason": reason},
            when,
        )

    def _withdraw(self, when: dt.datetime) -> None:
        reason = self.rng.choice(WITHDRAW_REASONS)
        self._event(Action.WITHDRAW, when, (None, REQUESTER_LABEL), note=reason.strip()[:200])

    def _mark(self, when: dt.datetime, who: Who | None = None, note: str = "") -> None:
        note = note or self.rng.choice(MARK_NOTES[self.o.level])
        who = who or self.g.handler(self.unit, self.o.level)
        self._event(Action.MARK, when, who, note=note, escalate_mark=True)

    def _flag(self) -> None:
        """The sweep after the due date: flagged overdue, the owner and the taker reminded."""
        g, o = self.g, self.o
        when = g.at(o.due_on + dt.timedelta(days=1), SWEEP_TIME)
        o.overdue = True
        self.t = max(self.t, when)
        self._notify(
            [o.owner_id, self._taker_account()],
            NoticeKind.OVERDUE,
            _("工单 %(code)s 已超过办结时限") % {"code": o.code},
            when,
            due_on=o.due_on,
        )
        if o.level in NEXT_LEVEL and self.rng.random() < (
            0.45 if o.level == Level.VILLAGE else 0.6
        ):
            day = g.cal.add_workdays(o.due_on, self.rng.randint(1, 3))
            self.urge_at = g.minutes(self.rng, day, 9 * 60, 17 * 60)

    def _urge(self, when: dt.datetime) -> None:
        g, o = self.g, self.o
        note = self.rng.choice(URGE_NOTES)
        self._event(
            Action.URGE,
            when,
            g.supervisor(self.unit, o.level),
            note=note,
            urge_count=o.urge_count + 1,
        )
        owners = [o.owner_id] if o.owner_id else g.handler_accounts(self.unit, o.level)
        self._notify(
            [*owners, *self._assignee_accounts()],
            NoticeKind.URGED,
            _("工单 %(code)s 被督办：%(note)s") % {"code": o.code, "note": note},
            when,
        )

    def _escalate(self, when: dt.datetime) -> None:
        """The cut-off: a marked or overdue open order goes up one level (as ``_escalate``)."""
        g, o = self.g, self.o
        from_level, to_level = o.level, NEXT_LEVEL[o.level]
        g.moved[from_level, when] += 1
        note = _("%(date)s 会商截止，提交%(level)s") % {
            "date": f"{when.date():%m月%d日}",
            "level": Level(to_level).label,
        }
        self._event(
            Action.ESCALATE,
            when,
            (None, SYSTEM_LABEL),
            note=note + ("（超期）" if o.overdue else ""),
            status=Status.SUBMITTED,
            level=to_level,
            owner_id=None,
            assignee_member_id=None,
            assignee_team_id=None,
            escalate_mark=False,
            overdue=False,
            due_on=g.cal.add_workdays(when.date(), self.category.time_limit_days),
            level_entered_at=when,
        )
        self._round(when.date())

    def _meeting(self, when: dt.datetime) -> bool:
        """The village's 碰头会 may take up the order; True when that changed its course."""
        rng, o = self.rng, self.o
        if rng.random() >= MEETING_ITEM_CHANCE:
            self.t = when
            return False
        planned = self.pending[1] if self.pending else None
        if self.going_up and not o.escalate_mark:
            decision, note = Decision.ESCALATE, rng.choice(MARK_NOTES[Level.VILLAGE])
        elif (
            o.status == Status.ACCEPTED
            and getattr(planned, "__func__", None) is _Life._resolve
            and rng.random() < 0.35
        ):
            decision, note = Decision.RESOLVED, ""
        else:
            decision, note = Decision.CONTINUE, rng.choice(REVIEW_NOTES)
        index = self.unit.meetings.index(when)
        self.unit.items.setdefault(index, []).append((o, decision, note))
        title = _("%(date)s 会商") % {"date": f"{when.date():%Y-%m-%d}"}
        text = f"{title}：{Decision(decision).label}" + (f"，{note}" if note else "")
        handler = self.unit.handler
        if decision == Decision.ESCALATE:
            self._mark(when, handler, text)
            return True
        if decision == Decision.RESOLVED:
            self._resolve(
                when,
                handler,
                resolution=text,
                mediation=Mediation.SETTLED if self.dispute else "",
            )
            return True
        self._event(Action.REVIEW, when, handler, note=text)
        return False
