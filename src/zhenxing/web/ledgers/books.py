"""三色账 pages: the list with its add form, an entry with its history and corrections, the Excel
export, the evidence photos, and each village's public board (no login)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.books import COLOUR_MEANING, BookEntry, Colour, LedgerPhoto
from zhenxing.ledgers.selectors import books as selectors
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.ledgers.services import books as services
from zhenxing.regions.models import VILLAGE_LEVELS, Household, Region
from zhenxing.web.ledgers import common
from zhenxing.web.order_forms import PhotosField


class BookEntryForm(forms.Form):
    village = forms.ModelChoiceField(
        label=gettext_lazy("村（社区）"), queryset=Region.objects.none()
    )
    colour = forms.ChoiceField(
        label=gettext_lazy("账别"), choices=Colour.choices, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(label=gettext_lazy("发生日期"), widget=common.DateInput())
    household = forms.CharField(
        label=gettext_lazy("户号"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("红账、黑账填写户号或当事人；蓝账可不填"),
    )
    person = forms.CharField(label=gettext_lazy("当事人"), required=False, max_length=40)
    title = forms.CharField(label=gettext_lazy("事项"), max_length=60)
    description = forms.CharField(
        label=gettext_lazy("经过"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=gettext_lazy("照片"), help_text=gettext_lazy("可选，最多 3 张"))

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_under(scope).order_by("path")


def household_by_number(form: forms.Form, village: Region | None, number: str) -> Any:
    """The household with this 户号 in ``village``; False (and a form error) when there is none."""
    number = (number or "").strip()
    if not number or village is None:
        return None
    household = Household.objects.filter(village=village, number=number).first()
    if household is None:
        form.add_error(
            "household", _("%(v)s没有户号为“%(n)s”的农户") % {"v": village.name, "n": number}
        )
        return False
    return household


@login_required
def book_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    colour = request.GET.get("colour", "")
    colour = colour if colour in Colour.values else ""
    form = None
    if common.writes(request):
        initial = {"village": village.pk if village else None, "colour": colour or Colour.RED}
        form = BookEntryForm(scope, request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            entry = _add(request, form)
            if entry is not None:
                messages.success(request, _("已记入%(c)s") % {"c": entry.get_colour_display()})
                return redirect("ledgers_book_entry", book_entry_id=entry.pk)
    rows = selectors.book_entries(scope, region=village, period=period, colour=colour)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "colour": colour,
        "colours": [(c, label, COLOUR_MEANING[c]) for c, label in Colour.choices],
        "page": common.page(request, rows),
        "form": form,
    }
    return render(request, "ledgers/books/list.html", context)


def _add(request: HttpRequest, form: BookEntryForm) -> BookEntry | None:
    data = form.cleaned_data
    household = household_by_number(form, data["village"], data["household"])
    if household is False:
        return None
    return common.attempt(
        form,
        lambda: services.book_entry_add(
            scope=request.scope,  # type: ignore[attr-defined]
            village=data["village"],
            colour=data["colour"],
            occurred_on=data["occurred_on"],
            household=household,
            person=data["person"],
            title=data["title"],
            description=data["description"],
            photos=data["photos"],
            actor=request.user,
        ),
    )


class CorrectForm(common.CorrectionReason):
    colour = forms.ChoiceField(label=gettext_lazy("账别"), choices=Colour.choices)
    occurred_on = forms.DateField(label=gettext_lazy("发生日期"), widget=common.DateInput())
    household = forms.CharField(label=gettext_lazy("户号"), required=False, max_length=30)
    person = forms.CharField(label=gettext_lazy("当事人"), required=False, max_length=40)
    title = forms.CharField(label=gettext_lazy("事项"), max_length=60)
    description = forms.CharField(
        label=gettext_lazy("经过"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=gettext_lazy("补充照片"), help_text=gettext_lazy("可选"))

    field_order = ["colour", "occurred_on", "household", "person", "title", "description"]


class MarkCorrectedForm(common.CorrectionReason):
    corrected_on = forms.DateField(label=gettext_lazy("改正日期"), widget=common.DateInput())


def _facts(e: BookEntry) -> list[tuple[str, Any]]:
    return [
        (_("账别"), e.get_colour_display()),
        (_("发生日期"), common.fmt_day(e.occurred_on)),
        (_("农户"), str(e.household) if e.household_id else ""),
        (_("当事人"), e.person),
        (_("事项"), e.title),
        (_("经过"), e.description),
        (_("已改正日期"), common.fmt_day(e.corrected_on)),
        (_("已作废"), _("是") if e.voided else ""),
    ]


@login_required
def book_entry(request: HttpRequest, book_entry_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    entry = get_visible_or_404(
        BookEntry.objects.select_related("village", "household", "recorded_by"),
        scope,
        pk=book_entry_id,
    )
    current = common.is_current(entry)
    initial = {
        "colour": entry.colour,
        "occurred_on": entry.occurred_on,
        "household": entry.household.number if entry.household_id else "",  # type: ignore[union-attr]
        "person": entry.person,
        "title": entry.title,
        "description": entry.description,
    }
    action = common.action_of(request)
    correct = CorrectForm(
        common.posted(request, action, "correct"), request.FILES or None, initial=initial
    )
    mark = MarkCorrectedForm(common.posted(request, action, "mark"))
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        new = _act(request, entry, action, correct, mark, void)
        if new is not None:
            return common.to_version(request, "ledgers_book_entry", new)
    context = common.entry_context(
        request,
        entry,
        current,
        _facts,
        "ledgers_book_entry",
        photos=list(entry.photos.all()),
        correct=correct,
        mark=mark if entry.colour == Colour.BLACK and not entry.corrected_on else None,
        void=void,
        meaning=COLOUR_MEANING[Colour(entry.colour)],
    )
    return render(request, "ledgers/books/entry.html", context)


def _act(
    request: HttpRequest,
    entry: BookEntry,
    action: str,
    correct: CorrectForm,
    mark: MarkCorrectedForm,
    void: common.CorrectionReason,
) -> BookEntry | None:
    actor = request.user
    if action == "mark" and mark.is_valid():
        return common.attempt(
            mark,
            lambda: services.book_entry_mark_corrected(
                entry=entry,
                corrected_on=mark.cleaned_data["corrected_on"],
                reason=mark.cleaned_data["reason"],
                actor=actor,
            ),
        )

    def correction(data: dict[str, Any]) -> BookEntry | None:
        household = household_by_number(correct, entry.village, data["household"])
        if household is False:
            return None
        return services.book_entry_correct(
            entry=entry,
            reason=data["reason"],
            actor=actor,
            photos=data["photos"],
            colour=data["colour"],
            occurred_on=data["occurred_on"],
            household=household,
            person=data["person"],
            title=data["title"],
            description=data["description"],
        )

    return common.correct_or_void(
        action,
        correct,
        void,
        correction,
        lambda reason: services.book_entry_void(entry=entry, reason=reason, actor=actor),
    )


@login_required
def book_export(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    _form, period, village = common.filters(request)
    colour = request.GET.get("colour", "")
    rows = selectors.book_entries(
        scope, region=village, period=period, colour=colour if colour in Colour.values else ""
    )
    where = village.name if village else _("辖区")
    content = export_bytes(selectors.books_sheet(rows, period=period, where=where))
    return common.download(content, export_filename(where, _("三色账"), period.key))


@login_required
def ledger_photo(request: HttpRequest, ledger_photo_id: int) -> HttpResponse:
    photo = get_visible_or_404(LedgerPhoto, request.scope, pk=ledger_photo_id)  # type: ignore[attr-defined]
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


# --- the public board -------------------------------------------------------------------------


BOARD_ROWS = 20  # the latest entries of each colour a board shows


def mask_name(name: str) -> str:
    """王秀英 → 王某某: the black board names a household without shaming it by full name."""
    name = (name or "").strip()
    return f"{name[0]}某某" if name else ""


def board_rows(village: Region, colour: str) -> list[dict[str, Any]]:
    """The latest entries of one colour on the village's board, names masked on the black one."""
    rows = []
    for e in selectors.board_entries(village).filter(colour=colour)[:BOARD_ROWS]:
        who = e.person or (e.household.head_name + _("户") if e.household_id else "")  # type: ignore[union-attr]
        if e.colour == Colour.BLACK:
            who = mask_name(who) + (_("户") if not e.person and e.household_id else "")
        rows.append({"entry": e, "who": who, "photos": list(e.photos.all())})
    return rows


def public_board(request: HttpRequest, village_id: int) -> HttpResponse:
    """The village's 红黑榜 on a phone, without an account: what the schedule has published."""
    village = get_object_or_404(Region, pk=village_id, level__in=VILLAGE_LEVELS)
    context = {
        "village": village,
        "sections": [
            (c, label, COLOUR_MEANING[c], board_rows(village, c)) for c, label in Colour.choices
        ],
    }
    return render(request, "ledgers/books/board.html", context)


def public_board_photo(request: HttpRequest, village_id: int, photo_id: int) -> HttpResponse:
    """A photo of an entry on the village's public board (and only such a photo)."""
    village = get_object_or_404(Region, pk=village_id, level__in=VILLAGE_LEVELS)
    on_board = selectors.board_entries(village).filter(photos=photo_id).exists()
    photo = get_object_or_404(LedgerPhoto, pk=photo_id, village=village) if on_board else None
    if photo is None:
        return render(request, "404.html", status=404)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
