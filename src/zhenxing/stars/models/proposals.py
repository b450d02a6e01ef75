"""Revocation proposals (摘星建议): a veto event reaching the stars a village holds.

Recording an event that fails a veto indicator (an incident of the 三零 ledger, or a judged veto
such as a disciplinary case entered by the township or the county) for a village with published
or final stars makes a proposal that names the event, the stars the veto takes (``stars.rules``)
and why. A final result's proposal waits for the county (摘星 with the reason, or dismissed with a
reason); during the notice period it enters as an objection instead (``objection``), so nothing is
confirmed over an open case. Voiding the event withdraws the proposal. Each step is also an
``ApplicationEvent`` of the application, in the same transaction.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenxing.core.fields import actor_field
from zhenxing.stars.models.applications import Application, Objection
from zhenxing.stars.models.standards import Indicator, Star


class ProposalState(models.TextChoices):
    OPEN = "open", _("待县委组织部决定")
    OBJECTION = "objection", _("已作为公示期异议")
    REVOKED = "revoked", _("已摘星")
    DISMISSED = "dismissed", _("不予摘星")
    WITHDRAWN = "withdrawn", _("事件作废，已撤回")


OPEN_STATES = (ProposalState.OPEN, ProposalState.OBJECTION)


class RevocationProposal(models.Model):
    scope_field = "application__region"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("创星申报")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("一票否决事项")
    )
    incident = models.ForeignKey(
        "ledgers.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("三零事件"),
    )  # the current row of the incident's correction chain; empty for a judged veto
    event = models.CharField(_("事件"), max_length=300)
    reference = models.CharField(_("案号/文号"), max_length=60, blank=True)
    stars = models.ManyToManyField(Star, related_name="+", verbose_name=_("拟摘的星"))
    reason = models.CharField(_("依据"), max_length=300)
    state = models.CharField(
        _("状态"), max_length=10, choices=ProposalState.choices, default=ProposalState.OPEN
    )
    objection = models.OneToOneField(
        Objection,
        on_delete=models.CASCADE,  # only ever deleted with its application
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("公示期异议"),
    )
    created_at = models.DateTimeField(_("提出时间"))
    created_by = actor_field(_("提出人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = actor_field(_("处理人"))
    decision_note = models.TextField(_("处理意见"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("摘星建议")
        verbose_name_plural = _("摘星建议")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open proposal per event: per incident, or per judged veto and document number.
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(state__in=OPEN_STATES, incident__isnull=False),
                name="proposal_open_once_per_incident",
            ),
            models.UniqueConstraint(
                fields=["application", "indicator", "reference"],
                condition=Q(state__in=OPEN_STATES, incident__isnull=True),
                name="proposal_open_once_per_event",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="proposal_state")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.indicator_id} {self.state}"
