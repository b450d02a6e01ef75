"""Routes of the ledger pages, under /ledgers/. Each ledger module adds its own block."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
