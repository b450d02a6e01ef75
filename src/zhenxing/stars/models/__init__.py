"""The star engine's tables: standards and evaluation runs (``standards``), the yearly
applications with their goals, tasks, evidence, review, approval, publication and revocation
(``applications``), and the working rhythm of weekly reports, monthly ranking snapshots and
quarterly site reviews (``rhythm``)."""

from zhenxing.stars.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationStar,
    AppState,
    Evidence,
    Judgement,
    Objection,
    ObjectionDecision,
    Task,
)
from zhenxing.stars.models.proposals import (
    OPEN_STATES,
    ProposalState,
    RevocationProposal,
)
from zhenxing.stars.models.rhythm import (
    RankingSnapshot,
    SiteReview,
    SiteReviewScore,
    WeeklyReport,
)
from zhenxing.stars.models.standards import (
    Approver,
    EvaluationRun,
    Indicator,
    IndicatorResult,
    Outcome,
    Standard,
    StandardKind,
    Star,
    StarResult,
    VetoScope,
)

__all__ = [
    "OPEN_STATES",
    "AppState",
    "Application",
    "ApplicationEvent",
    "ApplicationStar",
    "Approver",
    "EvaluationRun",
    "Evidence",
    "Indicator",
    "IndicatorResult",
    "Judgement",
    "Objection",
    "ObjectionDecision",
    "Outcome",
    "ProposalState",
    "RankingSnapshot",
    "RevocationProposal",
    "SiteReview",
    "SiteReviewScore",
    "Standard",
    "StandardKind",
    "Star",
    "StarResult",
    "Task",
    "VetoScope",
    "WeeklyReport",
]
