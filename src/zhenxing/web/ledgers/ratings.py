"""农户评比 pages: ratings with the add form, a rating with its history, rankings per household,
group and village, the Excel export, and the schemes (county settings)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import (
    export_bytes,
    export_filename,
)
from zhenxing.ledgers.models.ratings import Cadence, HouseholdRating, Rater, RatingScheme
from zhenxing.ledgers.selectors import ratings as selectors
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.ledgers.services import ratings as services
from zhenxing.web.ledgers import common
from zhenxing.web.ledgers.books import household_by_number


def current_key(scheme: RatingScheme) -> str:
    """This period's spelling for the scheme's cadence (2026-03, 2026Q1, 2026H1, 2026)."""
    today = timezone.localdate()
    return {
        Cadence.MONTH: f"{today:%Y-%m}",
        Cadence.QUARTER: f"{today.year}Q{(today.month - 1) // 3 + 1}",
        Cadence.HALF: f"{today.year}H{1 if today.month <= 6 else 2}",
        Cadence.YEAR: f"{today.year}",
    }[Cadence(scheme.cadence)]


class RatingForm(forms.Form):
    household = forms.CharField(label=gettext_lazy("户号"), max_length=30)
    period = forms.CharField(label=gettext_lazy("评比期间"), max_length=10)
    rated_on = forms.DateField(label=gettext_lazy("评议日期"), widget=common.DateInput())
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, scheme: RatingScheme, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        for item in scheme.items.all():
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（0–{item.max_points}）",
                min_value=0,
                max_value=item.max_points,
                widget=forms.NumberInput(attrs={"class": "w-num"}),
            )

    def scores(self) -> dict[str, int]:
        return {
            name[5:]: value for name, value in self.cleaned_data.items() if name.startswith("item_")
        }


class RatingCorrectForm(common.CorrectionReason, RatingForm):
    pass


def _scheme(request: HttpRequest) -> RatingScheme | None:
    active = list(selectors.schemes())
    wanted = request.GET.get("scheme") or request.POST.get("scheme")
    return next((s for s in active if str(s.pk) == wanted), active[0] if active else None)


@login_required
def rating_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    scheme = _scheme(request)
    form = None
    if common.writes(request) and village is not None and scheme is not None:
        initial = {"period": current_key(scheme), "rated_on": timezone.localdate()}
        form = RatingForm(scheme, request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            rating = _add(request, form, village)
            if rating is not None:
                messages.success(request, _("已记录评比结果"))
                return redirect("ledgers_rating", household_rating_id=rating.pk)
    rows = selectors.ratings(scope, region=village, period=period, scheme=scheme)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "scheme": scheme,
        "schemes": selectors.schemes(),
        "page": common.page(request, rows),
        "form": form,
        "keep": [("scheme", scheme.pk)] if scheme else [],
    }
    return render(request, "ledgers/ratings/list.html", context)


def _add(request: HttpRequest, form: RatingForm, village: Any) -> HouseholdRating | None:
    data = form.cleaned_data
    household = household_by_number(form, village, data["household"])
    if not household:
        return None
    return common.attempt(
        form,
        lambda: services.household_rating_add(
            scope=request.scope,  # type: ignore[attr-defined]
            household=household,
            scheme=form.scheme,
            period=data["period"],
            rated_on=data["rated_on"],
            scores=form.scores(),
            note=data["note"],
            actor=request.user,
        ),
    )


def _facts(r: HouseholdRating) -> list[tuple[str, Any]]:
    items = {str(i.pk): i.name for i in r.scheme.items.all()}
    return [
        (_("评比方案"), r.scheme.name),
        (_("评比期间"), Period.parse(r.period).label),
        (_("评议日期"), common.fmt_day(r.rated_on)),
        (
            _("分项得分"),
            "，".join(f"{items.get(k, k)} {v}" for k, v in r.scores.items()),
        ),
        (_("得分"), f"{r.score} / {r.max_score}"),
        (_("称号"), r.title.name if r.title_id else ""),  # type: ignore[union-attr]
        (_("备注"), r.note),
        (_("已作废"), _("是") if r.voided else ""),
    ]


@login_required
def rating_detail(request: HttpRequest, household_rating_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    rating = get_visible_or_404(
        HouseholdRating.objects.select_related(*selectors.RELATED), scope, pk=household_rating_id
    )
    current = common.is_current(rating)
    action = common.action_of(request)
    initial = {
        "household": rating.household.number,
        "period": rating.period,
        "rated_on": rating.rated_on,
        "note": rating.note,
        **{f"item_{k}": v for k, v in rating.scores.items()},
    }
    correct = RatingCorrectForm(
        rating.scheme, common.posted(request, action, "correct"), initial=initial
    )
    void = common.void_form(request, action)
    if action and current and common.writes(request):

        def correction(data: dict[str, Any]) -> HouseholdRating | None:
            household = household_by_number(correct, rating.village, data["household"])
            if not household:
                return None
            return services.household_rating_correct(
                rating=rating,
                reason=data["reason"],
                actor=request.user,
                household=household,
                period=data["period"],
                rated_on=data["rated_on"],
                scores=correct.scores(),
                note=data["note"],
            )

        new = common.correct_or_void(
            action,
            correct,
            void,
            correction,
            lambda reason: services.household_rating_void(
                rating=rating, reason=reason, actor=request.user
            ),
        )
        if new is not None:
            return common.to_version(request, "ledgers_rating", new)
    context = common.entry_context(
        request,
        rating,
        current,
        _facts,
        "ledgers_rating",
        facts=_facts(rating),
        correct=correct,
        void=void,
    )
    return render(request, "ledgers/ratings/detail.html", context)


@login_required
def rating_rankings(request: HttpRequest) -> HttpResponse:
    """排名: households and groups of one village, or the villages in scope."""
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    scheme = _scheme(request)
    context: dict[str, Any] = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "scheme": scheme,
        "schemes": selectors.schemes(),
        "keep": [("scheme", scheme.pk)] if scheme else [],
    }
    if village is not None:
        rows = selectors.ratings(scope, region=village, period=period, scheme=scheme)
        context["households"] = list(
            rows.filter(voided=False).order_by("-score", "household__number")[:200]
        )
        context["groups"] = selectors.group_ranking(village, period, scheme)
    else:
        villages = villages_under(scope).order_by("path")
        context["villages"] = selectors.village_ranking(villages, period, scheme)
    return render(request, "ledgers/ratings/rankings.html", context)


@login_required
def rating_export(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    _form, period, village = common.filters(request)
    scheme = _scheme(request)
    rows = selectors.ratings(scope, region=village, period=period, scheme=scheme)
    where = village.name if village else _("辖区")
    sheet = selectors.ratings_sheet(rows, period=period, where=where, scheme=scheme)
    return common.download(export_bytes(sheet), export_filename(where, _("农户评比"), period.key))


# --- schemes (county settings) ----------------------------------------------------------------


class SchemeForm(forms.Form):
    scheme_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("方案名称"), max_length=30)
    cadence = forms.ChoiceField(label=gettext_lazy("周期"), choices=Cadence.choices)
    rater = forms.ChoiceField(label=gettext_lazy("评议主体"), choices=Rater.choices)
    items = forms.CharField(
        label=gettext_lazy("评比项目"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一项：项目名称 满分，如“庭院整洁 30”"),
    )
    titles = forms.CharField(
        label=gettext_lazy("称号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一个：称号 最低得分，如“最美庭院 90”"),
    )
    active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)

    @staticmethod
    def _pairs(text: str, field: str) -> list[tuple[str, int]]:
        out = []
        for n, line in enumerate((text or "").splitlines(), start=1):
            line = line.replace("：", " ").replace(":", " ").strip()
            if not line:
                continue
            name, _sep, number = line.rpartition(" ")
            if not name.strip() or not number.strip().isdigit():
                raise forms.ValidationError(
                    _("第 %(n)s 行“%(l)s”应写作“名称 分数”") % {"n": n, "l": line}
                )
            out.append((name.strip(), int(number)))
        return out

    def clean_items(self) -> list[tuple[str, int]]:
        return self._pairs(self.cleaned_data["items"], "items")

    def clean_titles(self) -> list[tuple[str, int]]:
        return self._pairs(self.cleaned_data["titles"], "titles")


def _scheme_initial(s: RatingScheme) -> dict[str, Any]:
    return {
        "scheme_id": s.pk,
        "name": s.name,
        "cadence": s.cadence,
        "rater": s.rater,
        "items": "\n".join(f"{i.name} {i.max_points}" for i in s.items.all()),
        "titles": "\n".join(f"{t.name} {t.min_score}" for t in s.titles.all() if t.active),
        "active": s.active,
    }


@login_required
def rating_schemes(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_edit = user.is_superuser or user.role == "county_admin"  # type: ignore[union-attr]
    all_schemes = list(selectors.schemes(active_only=False))
    bound = SchemeForm(request.POST) if request.method == "POST" else None
    if bound is not None:
        if not may_edit:
            raise PermissionDenied
        if bound.is_valid():
            data = bound.cleaned_data
            existing = next((s for s in all_schemes if s.pk == data["scheme_id"]), None)
            saved = common.attempt(
                bound,
                lambda: services.rating_scheme_save(
                    actor=user,
                    name=data["name"],
                    cadence=data["cadence"],
                    rater=data["rater"],
                    items=data["items"],
                    titles=data["titles"],
                    active=data["active"],
                    scheme=existing,
                ),
            )
            if saved is not None:
                messages.success(request, _("已保存评比方案“%(s)s”") % {"s": saved.name})
                return redirect("ledgers_rating_schemes")
    edit_forms = []
    for s in all_schemes:
        if bound is not None and str(bound.data.get("scheme_id")) == str(s.pk):
            edit_forms.append((s, bound))
        else:
            edit_forms.append((s, SchemeForm(initial=_scheme_initial(s), prefix=None)))
    new = bound if bound is not None and not bound.data.get("scheme_id") else SchemeForm()
    context = {"forms": edit_forms, "new": new, "may_edit": may_edit}
    return render(request, "ledgers/ratings/schemes.html", context)
