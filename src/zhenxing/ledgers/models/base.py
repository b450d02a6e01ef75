"""The append-only entry every ledger shares.

A ledger row is never edited or deleted. A correction is a new row that ``supersedes`` the old
one (one correction per row: the one-to-one makes two cadres correcting the same row at once
collide, and the second is told), carries who made it and why, and may void the entry
(``voided``: the entry no longer counts). The current state of a ledger is its rows that nobody
superseded (``Entry.current()``); the chain of ``supersedes`` is the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EntryQuerySet(models.QuerySet):
    def current(self):
        """Rows nobody superseded: what the ledger says now (voided rows included, flagged).

        Written as NOT EXISTS rather than ``superseded_by__isnull=True``: the LEFT JOIN … IS NULL
        the latter makes is estimated by PostgreSQL at one row and planned as a nested loop, ten
        times slower over two million meetings (bench/stars_evaluation.py)."""
        later = self.model._default_manager.filter(supersedes=models.OuterRef("pk"))
        return self.filter(~models.Exists(later))

    def counting(self):
        """Current rows that still count (not voided)."""
        return self.current().filter(voided=False)


class Entry(models.Model):
    """Abstract base of every ledger row. Subclasses set ``scope_field`` (usually ``"village"``)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的记录"),
    )
    reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    voided = models.BooleanField(_("已作废"), default=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True
