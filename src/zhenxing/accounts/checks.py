"""System check: every model of ours says how it is scoped, or says it is exempt."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import Error, register


@register()
def scope_declared(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for model in apps.get_models():
        if not model.__module__.startswith("zhenxing."):
            continue
        if getattr(model, "scope_field", None) or getattr(model, "scope_exempt", False):
            continue
        errors.append(
            Error(
                f"{model._meta.label} declares neither scope_field nor scope_exempt = True",
                hint="Name the indexed FK to the village (or region) that scopes this model.",
                id="zhenxing.E001",
            )
        )
    return errors
