"""Model fields the apps share."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def actor_field(verbose_name) -> models.ForeignKey:
    """Who did something: a user account, NULL once the account is deleted (the record stays),
    with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )
