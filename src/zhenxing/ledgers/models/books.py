"""三色治理 (seed 000): the village chronicler's red (good deeds), black (bad deeds) and blue (major
events) books, and the evidence photos every ledger may attach.

An entry goes up on the village's public board on ``publish_on`` (its recording date plus the
``LEDGERS_BOOK_PUBLISH_DELAY_DAYS`` setting). A black entry marked corrected (``corrected_on``, the
"yellow" practice of domain.md §8.2) leaves the board; the marking is a correction row like any
other, so the history shows who marked it and why.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhenxing.ledgers.models.base import Entry


def ledger_photo_upload_to(instance: LedgerPhoto, filename: str) -> str:
    return f"ledgers/{instance.village_id}/{instance.uploaded_at:%Y/%m}/{filename}"


class LedgerPhoto(models.Model):
    """An evidence photo, re-encoded as JPEG on the server; entries point at it (many-to-many), so a
    correction keeps the photos of the row it corrects."""

    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    image = models.FileField(_("照片"), upload_to=ledger_photo_upload_to, max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("台账照片")
        verbose_name_plural = _("台账照片")

    def __str__(self) -> str:
        return self.image.name


class Colour(models.TextChoices):
    RED = "red", _("红账")
    BLACK = "black", _("黑账")
    BLUE = "blue", _("蓝账")


COLOUR_MEANING = {
    Colour.RED: _("好人好事"),
    Colour.BLACK: _("不良行为"),
    Colour.BLUE: _("重大事项"),
}


class BookEntry(Entry):
    scope_field = "village"

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    colour = models.CharField(_("账别"), max_length=5, choices=Colour.choices)
    occurred_on = models.DateField(_("发生日期"))
    household = models.ForeignKey(
        "regions.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("农户"),
    )
    person = models.CharField(_("当事人"), max_length=40, blank=True)
    title = models.CharField(_("事项"), max_length=60)
    description = models.TextField(_("经过"), max_length=2000)
    publish_on = models.DateField(_("公示日期"))
    corrected_on = models.DateField(_("已改正日期"), null=True, blank=True)
    photos = models.ManyToManyField(
        LedgerPhoto, blank=True, related_name="+", verbose_name=_("照片")
    )

    class Meta:
        verbose_name = _("三色账")
        verbose_name_plural = _("三色账")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["village", "occurred_on"], name="book_village_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__in=[c.value for c in Colour]), name="book_colour_valid"
            ),
            models.CheckConstraint(
                condition=Q(corrected_on__isnull=True) | Q(colour=Colour.BLACK),
                name="book_only_black_corrected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} · {self.title}"

    @property
    def is_yellow(self) -> bool:
        return self.colour == Colour.BLACK and self.corrected_on is not None

    @property
    def subject(self) -> str:
        """Who the entry is about: the person, else the household, else the village."""
        if self.person:
            return self.person
        if self.household_id:
            return str(self.household)
        return ""
