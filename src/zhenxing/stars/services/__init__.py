"""Writes of the star engine, one module per part: ``evaluation`` (loading standards, evaluation
runs), ``applications`` (goals, tasks, self-assessment, review, approval, publication, objections,
revocation) and ``rhythm`` (weekly reports, monthly ranking snapshots, quarterly site reviews)."""

from zhenxing.stars.services.evaluation import evaluation_run, meets, standard_load

__all__ = ["evaluation_run", "meets", "standard_load"]
