"""Service-loop pages: the figures on region pages, 民情碰头会 (meetings) and the county's settings.

Each view: scoped fetch → one selector or service → render. Meetings are written by
``orders.services.meeting_record``; the settings pages (categories, holiday overrides, teams) are
plain reference data written here through a ModelForm (``full_clean``, then
``save(update_fields=...)``). Out of scope, or a role the page is not for, answers 404.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region, visible
from zhenxing.core.models import CalendarDay
from zhenxing.core.periods import Period
from zhenxing.core.selectors import work_calendar
from zhenxing.core.workdays import WorkCalendar
from zhenxing.orders import selectors as order_selectors
from zhenxing.orders import services as order_services
from zhenxing.orders.models import Category, Decision, Meeting, Order, Team, TeamKind
from zhenxing.orders.selectors import Figures
from zhenxing.orders.states import Actor, Level, Status
from zhenxing.regions.models import VILLAGE_LEVELS, MemberStatus, PartyMember, Region

COUNTY_ROLES = frozenset({"county_admin"})
TEAM_ROLES = frozenset({"county_admin", "village_secretary"})
MEETINGS_PER_PAGE = 20
WEEKDAYS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)
DASH = "—"


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    """A page that is not for this role looks like one that does not exist."""
    user = request.user
    if not (user.is_superuser or getattr(user, "role", "") in roles):
        raise Http404(_("未找到"))


def weekday(day: dt.date) -> str:
    return str(WEEKDAYS[day.weekday()])


# --- figures on the region pages ----------------------------------------------------------------


def pct(value: float | None) -> str:
    """A rate the Chinese way: one decimal and a percent sign; a dash when there is no data."""
    return DASH if value is None else f"{value:.1f}%"


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: str
    unit: str = ""
    help: str = ""


def period_choices(today: dt.date) -> list[tuple[str, str]]:
    quarter = (today.month - 1) // 3 + 1
    return [
        (f"{today:%Y-%m}", _("本月")),
        (f"{today.year}Q{quarter}", _("本季度")),
        (f"{today.year}H1", _("上半年")),
        (f"{today.year}H2", _("下半年")),
        (f"{today.year}", _("本年")),
        (f"{today.year - 1}", _("上年")),
    ]


def period_from(request: HttpRequest, today: dt.date) -> tuple[Period, str]:
    """The ``?period=`` asked for (this year by default) and a message when it was unreadable."""
    text = request.GET.get("period", "").strip()
    if not text:
        return Period.year(today.year), ""
    try:
        return Period.parse(text), ""
    except ValueError as exc:
        return Period.year(today.year), str(exc)


def _headline(f: Figures) -> list[Stat]:
    avg = f.average_workdays
    return [
        Stat("received", _("受理"), intcomma(f.received), _("件"), _("本期提交的诉求件数")),
        Stat(
            "response_rate",
            _("响应率"),
            pct(f.response_rate),
            help=_("在类别规定的响应时限内派单或接单的件数 ÷ 受理件数"),
        ),
        Stat(
            "resolution_rate",
            _("解决率"),
            pct(f.resolution_rate),
            help=_("已办结件数 ÷ 受理件数"),
        ),
        Stat(
            "on_time_rate",
            _("按时办结率"),
            pct(f.on_time_rate),
            help=_("在办结时限内办结的件数 ÷ 已办结件数"),
        ),
        Stat(
            "satisfaction_rate",
            _("满意率"),
            pct(f.satisfaction_rate),
            help=_("评价为满意或基本满意的件数 ÷ 已评价件数"),
        ),
        Stat(
            "average_workdays",
            _("平均办理用时"),
            DASH if avg is None else f"{avg:.1f}",
            "" if avg is None else _("个工作日"),
            _("已办结工单从受理次日到办结日的工作日数的平均值"),
        ),
        Stat(
            "open_overdue",
            _("超期未办结"),
            intcomma(f.open_overdue),
            _("件"),
            _("本期受理、已超过办结时限仍未办结的件数"),
        ),
    ]


def _months(period: Period, today: dt.date) -> list[dt.date]:
    """First days of the period's months, up to this month (at most three years of them)."""
    end = min(period.end, today)
    months: list[dt.date] = []
    month = period.start.replace(day=1)
    while month <= end and len(months) < 36:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _trend(period: Period, rows: list[tuple[dt.date, Figures]], today: dt.date) -> dict:
    by_month = {month.replace(day=1): f for month, f in rows}
    months = _months(period, today) or sorted(by_month)
    several_years = len({m.year for m in months}) > 1
    empty = Figures()
    picked = [by_month.get(m, empty) for m in months]
    return {
        "months": [
            _("%(y)s年%(m)s月") % {"y": m.year, "m": m.month}
            if several_years
            else _("%s月") % m.month
            for m in months
        ],
        "series": [
            {"name": _("受理件数"), "kind": "count", "data": [f.received for f in picked]},
            {"name": _("解决率"), "kind": "rate", "data": [f.resolution_rate for f in picked]},
            {"name": _("满意率"), "kind": "rate", "data": [f.satisfaction_rate for f in picked]},
        ],
    }


def _by_child(children: list[tuple[Region, Any]], figures: dict[str, Figures]) -> dict:
    rows = [(child, figures.get(child.path) or Figures()) for child, _counts in children]
    return {
        "names": [child.name for child, _f in rows],
        "received": [f.received for _c, f in rows],
        "series": [
            {"name": _("响应率"), "data": [f.response_rate for _c, f in rows]},
            {"name": _("解决率"), "data": [f.resolution_rate for _c, f in rows]},
            {"name": _("满意率"), "data": [f.satisfaction_rate for _c, f in rows]},
        ],
    }


def _levels(f: Figures) -> tuple[list[list], list[Stat]]:
    rows = [
        [_("村内解决"), f.solved_village],
        [_("乡镇解决"), f.solved_township],
        [_("县级解决"), f.solved_county],
    ]
    shares = f.level_shares
    in_township = (
        round(100 * (f.solved_village + f.solved_township) / f.resolved, 1) if f.resolved else None
    )
    stats = [
        Stat("village_share", _("村内解决占比"), pct(shares[Level.VILLAGE]), help=_("小事不出村")),
        Stat("township_share", _("镇内解决占比"), pct(in_township), help=_("大事不出镇")),
    ]
    return rows, stats


def figures_context(
    request: HttpRequest, region: Region, children: list[tuple[Region, Any]]
) -> dict[str, Any]:
    """The service figures of a region page: three aggregate queries whatever the region's size
    (the whole period, one GROUP BY per child region, one GROUP BY per month)."""
    today = timezone.localdate()
    period, error = period_from(request, today)
    figures = order_selectors.figures_for(region, period)
    context: dict[str, Any] = {
        "period": period,
        "period_error": error,
        "period_choices": period_choices(today),
        "figures": figures,
        "headline": _headline(figures),
    }
    if not figures.received:
        return context
    if not region.is_village and children:
        by_child = order_selectors.figures_by_child(region, period)
        context["by_child"] = _by_child(children, by_child)
        context["by_child_height"] = 80 + 44 * len(children)
    context["levels"], context["level_stats"] = _levels(figures)
    context["trend"] = _trend(period, order_selectors.figures_by_month(region, period), today)
    return context


# --- 民情碰头会 -------------------------------------------------------------------------------


def meeting_place(scope: Scope) -> tuple[Region, str] | None:
    """Where the user holds meetings and which orders are reviewed there: a village secretary's
    village (village-level orders) or a township admin's township (township-level orders)."""
    if scope.is_root or scope.region_id is None:
        return None
    if scope.role == "village_secretary" and scope.level in VILLAGE_LEVELS:
        level = Level.VILLAGE
    elif scope.role == "township_admin" and scope.level == "township":
        level = Level.TOWNSHIP
    else:
        return None
    return get_visible_or_404(Region, scope, pk=scope.region_id), level


@dataclass(frozen=True)
class Cutoff:
    from_level: str
    to_level: str
    date: dt.date
    days_left: int
    marked: int
    overdue: int
    going_up: int

    @property
    def label(self) -> str:
        return _("%(a)s → %(b)s") % {
            "a": Level(self.from_level).label,
            "b": Level(self.to_level).label,
        }

    @property
    def weekday(self) -> str:
        return weekday(self.date)


def next_cutoff(cal: WorkCalendar, today: dt.date, day: int) -> dt.date:
    """This month's cut-off, or next month's when this month's has passed."""
    rule = settings.ORDERS_CUTOFF_ON_DAY_OFF
    date = cal.cutoff(today.year, today.month, day, on_day_off=rule)
    if date < today:
        following = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        date = cal.cutoff(following.year, following.month, day, on_day_off=rule)
    return date


def cutoffs(scope: Scope, today: dt.date) -> list[Cutoff]:
    """The next 三级会商 cut-offs the viewer's level cares about, with what would go up now."""
    steps = order_selectors.cutoff_steps()
    if not (scope.is_root or scope.level not in VILLAGE_LEVELS):
        steps = steps[:1]
    counts = order_selectors.escalation_counts(scope, [level for level, _to, _day in steps])
    cal = work_calendar()
    out = []
    for level, to_level, day in steps:
        date = next_cutoff(cal, today, day)
        out.append(
            Cutoff(
                from_level=level,
                to_level=to_level,
                date=date,
                days_left=(date - today).days,
                marked=counts[level]["marked"],
                overdue=counts[level]["overdue"],
                going_up=counts[level]["up"],
            )
        )
    return out


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Meetings in scope, newest first, for anyone who can see them (a grid member sees their
    village's); recording one is for the village secretary and the township office."""
    scope = _scope(request)
    meetings = (
        visible(Meeting.objects.all(), scope)
        .select_related("region", "created_by")
        .annotate(item_count=Count("items"))
        .order_by("-held_on", "-pk")
    )
    page = Paginator(meetings, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cutoffs": cutoffs(scope, timezone.localdate()),
        "place": meeting_place(scope),
        "may_manage_teams": request.user.role in TEAM_ROLES,  # type: ignore[union-attr]
        "township_day": settings.ORDERS_TOWNSHIP_CUTOFF_DAY,
        "county_day": settings.ORDERS_COUNTY_CUTOFF_DAY,
        "cutoff_rule": _("逢休息日提前到前一个工作日")
        if settings.ORDERS_CUTOFF_ON_DAY_OFF == "previous"
        else _("逢休息日顺延到下一个工作日"),
    }
    return render(request, "service/meetings.html", context)


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("召开日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    attendees = forms.CharField(
        label=gettext_lazy("参会人员"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("如：村两委成员、网格员、群众代表")}
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("会议纪要"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@dataclass
class MeetingRow:
    """One open order on the meeting form, with what the user chose for it."""

    n: int
    order: Order
    decision: str = ""
    note: str = ""
    error: str = ""

    @property
    def may_resolve(self) -> bool:
        return self.order.status == Status.ACCEPTED


DECISION_FIELD = re.compile(r"^decision-(\d+)$")


def _rows(orders: list[Order], data: Any) -> list[MeetingRow]:
    return [
        MeetingRow(
            n=n,
            order=order,
            decision=data.get(f"decision-{order.pk}", ""),
            note=data.get(f"note-{order.pk}", "").strip()[:200],
        )
        for n, order in enumerate(orders, start=1)
    ]


def _gone(scope: Scope, data: Any, rows: list[MeetingRow]) -> list[str]:
    """Messages for decisions posted for orders no longer open at this level (handled meanwhile)."""
    shown = {row.order.pk for row in rows}
    posted = {
        int(m.group(1))
        for key, value in data.items()
        if value and (m := DECISION_FIELD.match(key)) and int(m.group(1)) not in shown
    }
    if not posted:
        return []
    codes = (
        order_selectors.orders_visible(scope).filter(pk__in=posted).values_list("code", flat=True)
    )
    found = sorted(codes)
    missing = len(posted) - len(found)
    out = [
        _("工单 %(code)s 已不在本级待办中（可能刚被处理），请核对后重新提交") % {"code": code}
        for code in found
    ]
    if missing:
        out.append(_("有 %(n)s 条工单不存在或不在您的范围内") % {"n": missing})
    return out


def _record_meeting(
    request: HttpRequest, region: Region, form: MeetingForm, rows: list[MeetingRow]
) -> Meeting | list[str]:
    """Call the service; on refusal return the messages (the rows they name are marked)."""
    items = [
        order_services.ItemInput(order=row.order, decision=row.decision, note=row.note)
        for row in rows
        if row.decision
    ]
    try:
        return order_services.meeting_record(
            scope=_scope(request),
            region=region,
            held_on=form.cleaned_data["held_on"],
            items=items,
            actor=Actor.of(request.user),
            attendees=form.cleaned_data["attendees"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    except (PermissionDenied, order_services.StaleState) as exc:
        errors = {"": [str(exc)]}
    general: list[str] = []
    for name, messages_ in errors.items():
        for message in messages_:
            if name in form.fields:
                form.add_error(name, message)
                continue
            general.append(_row_message(message, rows))
    return general


def _row_message(message: str, rows: list[MeetingRow]) -> str:
    """Attach a service message to the row it names. The service counts only the rows that got a
    decision (“第 2 条”); the page numbers every row, so the number is rewritten to the page's."""
    decided = [row for row in rows if row.decision]
    for k, row in enumerate(decided, start=1):
        code = row.order.code
        said = _("第 %(n)s 条（%(code)s）") % {"n": k, "code": code}
        if message.startswith(said):
            message = (
                _("第 %(n)s 条（%(code)s）") % {"n": row.n, "code": code} + message[len(said) :]
            )
        if code in message:
            row.error = message
            break
    return message


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    place = meeting_place(scope)
    if place is None:
        raise Http404(_("未找到"))
    region, level = place
    orders = list(
        order_selectors.order_list(scope, status="open", level=level, region=region).order_by(
            "due_on", "pk"
        )
    )
    errors: list[str] = []
    if request.method == "POST":
        form = MeetingForm(request.POST)
        rows = _rows(orders, request.POST)
        errors = _gone(scope, request.POST, rows)
        if form.is_valid() and not errors:
            result = _record_meeting(request, region, form, rows)
            if isinstance(result, Meeting):
                decided = sum(1 for row in rows if row.decision)
                messages.success(request, _("会商已记录：%(n)s 条工单作出了结论") % {"n": decided})
                return redirect("meeting_detail", meeting_id=result.pk)
            errors = result
    else:
        form = MeetingForm(initial={"held_on": timezone.localdate()})
        rows = _rows(orders, {})
    context = {
        "region": region,
        "level": Level(level),
        "form": form,
        "rows": rows,
        "errors": errors,
        "decisions": Decision.choices,
        "today": timezone.localdate(),
    }
    return render(request, "service/meeting_form.html", context)


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    scope = _scope(request)
    meeting = get_visible_or_404(
        Meeting.objects.select_related("region", "created_by"), scope, pk=meeting_id
    )
    items = meeting.items.select_related("order__category", "order__village").order_by("pk")
    return render(request, "service/meeting_detail.html", {"meeting": meeting, "items": items})


# --- county settings: categories, holiday overrides, teams ---------------------------------------


def named_errors(form: forms.BaseForm) -> list[str]:
    """Each error as “字段：说明”, so a message says which field it is about."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out.extend(f"{label}：{e}" if label else str(e) for e in errors)
    return out


ACCOUNT_MANAGERS = frozenset({"county_admin", "township_admin"})


def _settings_tabs(request: HttpRequest, current: str) -> list[tuple[str, str, bool]]:
    role = request.user.role  # type: ignore[union-attr]
    county = request.user.is_superuser or role in COUNTY_ROLES
    tabs = []
    if county:
        tabs += [("categories", _("诉求类别")), ("calendar_days", _("节假日调整"))]
    tabs.append(("teams", _("服务队伍") if county else _("本村志愿服务队")))
    if request.user.is_superuser or role in ACCOUNT_MANAGERS:
        tabs.append(("accounts", _("账号管理")))
    return [(name, label, name == current) for name, label in tabs]


CATEGORY_FIELDS = ["name", "time_limit_days", "response_days", "is_dispute", "active", "sort"]
MAX_LIMIT_DAYS = 250


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = CATEGORY_FIELDS
        error_messages = {"name": {"unique": gettext_lazy("已有同名的类别，请换一个名称")}}

    def clean_time_limit_days(self) -> int:
        days = self.cleaned_data["time_limit_days"]
        if not 1 <= days <= MAX_LIMIT_DAYS:
            raise ValidationError(_("请填写 1 至 %(n)s 之间的工作日数") % {"n": MAX_LIMIT_DAYS})
        return int(days)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        limit, response = data.get("time_limit_days"), data.get("response_days")
        if limit is not None and response is not None and response > limit:
            self.add_error("response_days", _("响应时限不能超过办结时限"))
        return data


def category_save(form: CategoryForm) -> Category:
    """Write a checked category form: a new row, or only the edited fields of an existing one."""
    category = form.save(commit=False)
    with transaction.atomic():
        if category.pk:
            category.save(update_fields=CATEGORY_FIELDS)
        else:
            category.save()
    return category


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    _require(request, COUNTY_ROLES)
    rows = list(Category.objects.annotate(order_count=Count("orders")).order_by("sort", "pk"))
    bound: CategoryForm | None = None
    if request.method == "POST":
        pk = request.POST.get("id", "")
        instance = next((c for c in rows if str(c.pk) == pk), None) if pk else None
        if pk and instance is None:
            raise Http404(_("未找到"))
        bound = CategoryForm(request.POST, instance=instance, prefix=f"c{pk or 'new'}")
        if bound.is_valid():
            try:
                saved = category_save(bound)
            except IntegrityError:
                bound.add_error("name", _("已有同名的类别，请换一个名称"))
            else:
                messages.success(request, _("已保存类别“%(name)s”") % {"name": saved.name})
                return redirect("categories")
    forms_ = []
    for category in rows:
        if bound is not None and bound.instance.pk == category.pk:
            forms_.append((category, bound))
        else:
            forms_.append((category, CategoryForm(instance=category, prefix=f"c{category.pk}")))
    new = bound if bound is not None and not bound.instance.pk else CategoryForm(prefix="cnew")
    context = {
        "forms": [(c, f, named_errors(f)) for c, f in forms_],
        "new": new,
        "new_errors": named_errors(new),
        "tabs": _settings_tabs(request, "categories"),
    }
    return render(request, "service/categories.html", context)


class CalendarDayForm(forms.ModelForm):
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("安排"),
        choices=[("0", gettext_lazy("休息")), ("1", gettext_lazy("上班"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "date": {"unique": gettext_lazy("该日期已有调整记录；如需更改，请先删除原记录")}
        }

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if not 2000 <= date.year <= 2100:
            raise ValidationError(_("请填写 2000 至 2100 年之间的日期"))
        return date  # type: ignore[no-any-return]


@login_required
def calendar_days(request: HttpRequest) -> HttpResponse:
    _require(request, COUNTY_ROLES)
    today = timezone.localdate()
    form = CalendarDayForm(initial={"is_workday": "0"})
    if request.method == "POST" and request.POST.get("action") == "delete":
        day = CalendarDay.objects.filter(pk=request.POST.get("id") or 0).first()
        if day is None:
            raise Http404(_("未找到"))
        day.delete()
        messages.success(request, _("已删除 %(date)s 的调整") % {"date": f"{day.date:%Y-%m-%d}"})
        return redirect(f"{reverse('calendar_days')}?year={day.date.year}")
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            day = form.save()
            messages.success(
                request, _("已添加 %(date)s：%(kind)s") % {"date": day.date, "kind": day}
            )
            return redirect(f"{reverse('calendar_days')}?year={day.date.year}")
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    entered_years = {d.year for d in CalendarDay.objects.dates("date", "year")}
    years = sorted(entered_years | {today.year, today.year + 1, year})
    cal = work_calendar()
    statutory = WorkCalendar()
    known = [
        {
            "year": y,
            "package": statutory.knows(y),
            "entered": y in entered_years,
            "known": cal.knows(y),
        }
        for y in years
    ]
    days = [
        (d, weekday(d.date), statutory.is_workday(d.date))
        for d in CalendarDay.objects.filter(date__year=year).order_by("date")
    ]
    context = {
        "form": form,
        "form_errors": named_errors(form),
        "year": year,
        "years": years,
        "known": known,
        "next_year": today.year + 1,
        "next_year_known": cal.knows(today.year + 1),
        "this_year_known": cal.knows(today.year),
        "this_year": today.year,
        "days": days,
        "tabs": _settings_tabs(request, "calendar_days"),
    }
    return render(request, "service/calendar.html", context)


TEAM_FIELDS = ["name", "kind", "specialty", "active"]
CANDIDATES_SHOWN = 40
VILLAGE_CANDIDATES_SHOWN = 300


def _team_place(request: HttpRequest) -> tuple[Region, list[tuple[str, str]]]:
    """The region whose teams the user manages and the kinds they may create there: the county's
    expert teams and departments, or a village secretary's volunteer teams."""
    _require(request, TEAM_ROLES)
    scope = _scope(request)
    region = home_region(scope)
    if request.user.role == "village_secretary" and region.is_village:  # type: ignore[union-attr]
        return region, [(TeamKind.VOLUNTEER.value, str(TeamKind.VOLUNTEER.label))]
    if (request.user.is_superuser or request.user.role == "county_admin") and region.level in (  # type: ignore[union-attr]
        "county",
        "city",
        "province",
    ):
        return region, [
            (TeamKind.EXPERT.value, str(TeamKind.EXPERT.label)),
            (TeamKind.DEPARTMENT.value, str(TeamKind.DEPARTMENT.label)),
        ]
    raise Http404(_("未找到"))


def members_visible(scope: Scope) -> QuerySet[PartyMember]:
    return visible(PartyMember.objects.filter(status=MemberStatus.ACTIVE), scope)


def member_candidates(scope: Scope, region: Region, q: str, exclude: set[int]) -> list[PartyMember]:
    """Members to pick from: those whose name contains ``q``; in a village, all of them."""
    qs = (
        members_visible(scope)
        .exclude(pk__in=exclude)
        .select_related("person", "organization")
        .order_by("person__name", "pk")
    )
    if q:
        return list(qs.filter(person__name__contains=q)[:CANDIDATES_SHOWN])
    if region.is_village:
        return list(qs[:VILLAGE_CANDIDATES_SHOWN])
    return []


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = [*TEAM_FIELDS, "members"]

    def __init__(
        self,
        *args: Any,
        region: Region,
        kinds: list[tuple[str, str]],
        members: QuerySet[PartyMember],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["kind"].choices = kinds
        self.fields["members"].queryset = members
        self.fields["members"].required = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        same = Team.objects.filter(region=self.region, name=name).exclude(pk=self.instance.pk)
        if same.exists():
            raise ValidationError(_("本区域已有同名的队伍，请换一个名称"))
        return str(name)


def team_save(form: TeamForm, region: Region) -> Team:
    team = form.save(commit=False)
    with transaction.atomic():
        if team.pk:
            team.save(update_fields=TEAM_FIELDS)
        else:
            team.region = region
            team.save()
        form.save_m2m()
    return team


@dataclass
class TeamEdit:
    form: TeamForm
    team: Team | None
    chosen: list[PartyMember] = field(default_factory=list)
    candidates: list[PartyMember] = field(default_factory=list)
    q: str = ""


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    region, kinds = _team_place(request)
    scope = _scope(request)
    own = visible(Team.objects.filter(region=region), scope)
    data = request.POST if request.method == "POST" else request.GET
    which = data.get("edit", "")
    edit: TeamEdit | None = None
    if which:
        team = None if which == "new" else _team_or_404(own, which)
        kwargs = {"region": region, "kinds": kinds, "members": members_visible(scope)}
        if request.method == "POST":
            form = TeamForm(request.POST, instance=team, **kwargs)
            if form.is_valid():
                saved = team_save(form, region)
                messages.success(request, _("已保存队伍“%(name)s”") % {"name": saved.name})
                return redirect("teams")
            chosen_ids = {int(v) for v in request.POST.getlist("members") if v.isdigit()}
        else:
            form = TeamForm(instance=team, initial={"kind": kinds[0][0]}, **kwargs)
            chosen_ids = set(team.members.values_list("pk", flat=True)) if team else set()
        q = request.GET.get("q", "").strip()[:20]
        chosen = list(
            members_visible(scope)
            .filter(pk__in=chosen_ids)
            .select_related("person", "organization")
            .order_by("person__name", "pk")
        )
        edit = TeamEdit(
            form=form,
            team=team,
            chosen=chosen,
            candidates=member_candidates(scope, region, q, chosen_ids),
            q=q,
        )
        if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
            response = render(request, "service/teams.html#candidates", {"edit": edit})
            response["Vary"] = "HX-Request"
            return response
    rows = own.annotate(member_count=Count("members")).order_by("kind", "name")
    context = {
        "region": region,
        "rows": rows,
        "edit": edit,
        "edit_errors": named_errors(edit.form) if edit else [],
        "tabs": _settings_tabs(request, "teams"),
        "is_village": region.is_village,
    }
    response = render(request, "service/teams.html", context)
    response["Vary"] = "HX-Request"
    return response


def _team_or_404(own: QuerySet[Team], which: str) -> Team:
    if not which.isdigit():
        raise Http404(_("未找到"))
    team = own.filter(pk=int(which)).first()
    if team is None:
        raise Http404(_("未找到"))
    return team
