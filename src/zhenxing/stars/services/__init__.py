"""Writes of the star engine, one module per part: ``evaluation`` (loading standards, evaluation
runs), ``applications`` (goals, tasks, self-assessment, review, approval, publication, objections,
revocation is in ``revocations``, with the proposals a veto event makes) and ``rhythm`` (weekly reports, monthly ranking snapshots, quarterly site reviews)."""

from zhenxing.stars.services.applications import (
    StaleState,
    application_approve,
    application_evidence_add,
    application_goal_set,
    application_publish,
    application_return,
    application_review,
    application_self_assess,
    application_task_add,
    application_task_done,
    applications_finalise,
    approval_level,
    objection_decide,
    objection_record,
)
from zhenxing.stars.services.evaluation import (
    evaluation_run,
    meets,
    standard_load,
)
from zhenxing.stars.services.revocations import (
    application_revoke,
    holding_application,
    revocation_decide,
    revocation_propose,
    revocations_withdraw,
)
from zhenxing.stars.services.rhythm import (
    ScoreRow,
    ranking_snapshot_take,
    ranking_snapshots_due,
    site_review_record,
    site_review_score,
    weekly_report_file,
)

__all__ = [
    "ScoreRow",
    "StaleState",
    "application_approve",
    "application_evidence_add",
    "application_goal_set",
    "application_publish",
    "application_return",
    "application_review",
    "application_revoke",
    "application_self_assess",
    "application_task_add",
    "application_task_done",
    "applications_finalise",
    "approval_level",
    "evaluation_run",
    "holding_application",
    "meets",
    "objection_decide",
    "objection_record",
    "ranking_snapshot_take",
    "ranking_snapshots_due",
    "revocation_decide",
    "revocation_propose",
    "revocations_withdraw",
    "site_review_record",
    "site_review_score",
    "standard_load",
    "weekly_report_file",
]
