"""What the user typed, kept when the server refuses a form: the page is rendered again (not
redirected) with ``posted`` (the refused POST) and ``posted_action`` (which form it came from) in
the context, and ``posted_row`` (the row id) for a form repeated on every row (a task, an
indicator, an objection). Only the refused form reads them back; every other form shows its
usual values (field names like ``note`` are shared among forms).

    {% load kept %}
    <input name="title" value="{% kept 'task' 'title' %}">
    <textarea name="text">{% kept 'evidence' 'text' row=i.indicator.pk %}</textarea>
    <input type="radio" name="met_{{ i.indicator.pk }}" value="1"{% checked 'review' 'met_' i.indicator.pk value=1 %}>
    <input type="checkbox" name="stars" value="{{ s.pk }}"{% checked 'goal' 'stars' value=s.pk default=line.row.goal %}>
    <option value="{{ p.pk }}"{% selected 'task' 'owner' value=p.pk %}>
    <details{% opened 'task' %}>
    <form ...>{% refusal 'task' %} ...   (why it was refused, again beside the fields)

A field name may be given in parts (``'met_' i.indicator.pk``), joined as text.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html_join

register = template.Library()


def _posted(context: template.Context, action: str, row: Any) -> QueryDict | None:
    """The refused POST when it came from this form (and this row), else None."""
    posted = context.get("posted")
    if posted is None or context.get("posted_action") != action:
        return None
    if row is not None and str(row) != str(context.get("posted_row", "")):
        return None
    return posted  # type: ignore[no-any-return]


def _name(parts: tuple[Any, ...]) -> str:
    return "".join(str(p) for p in parts)


@register.simple_tag(takes_context=True)
def kept(context: template.Context, action: str, *name: Any, default: Any = "", row: Any = None):
    """The value typed into a text field, a textarea or a date (escaped by the template)."""
    posted = _posted(context, action, row)
    if posted is None:
        return "" if default is None else default
    return posted.get(_name(name), "")


def _chosen(context, action, name, value, default, row) -> bool:
    posted = _posted(context, action, row)
    if posted is None:
        return bool(default)
    return str(value) in posted.getlist(_name(name))


@register.simple_tag(takes_context=True)
def checked(
    context: template.Context,
    action: str,
    *name: Any,
    value: Any,
    default: Any = False,
    row: Any = None,
) -> str:
    """`` checked`` on a checkbox or radio whose value was posted (else when ``default``)."""
    return " checked" if _chosen(context, action, name, value, default, row) else ""


@register.simple_tag(takes_context=True)
def selected(
    context: template.Context,
    action: str,
    *name: Any,
    value: Any,
    default: Any = False,
    row: Any = None,
) -> str:
    """`` selected`` on the option whose value was posted (else when ``default``)."""
    return " selected" if _chosen(context, action, name, value, default, row) else ""


@register.simple_tag(takes_context=True)
def opened(context: template.Context, action: str, *, row: Any = None) -> str:
    """`` open`` on the folded ``<details>`` of the refused form, so what was kept shows."""
    return " open" if _posted(context, action, row) is not None else ""


@register.simple_tag(takes_context=True)
def refusal(context: template.Context, action: str, *, row: Any = None) -> str:
    """The refusal's messages (``refusal`` in the context) again at the top of the refused form,
    beside what was kept: on a phone the page's messages are far above a form low on the page."""
    if _posted(context, action, row) is None:
        return ""
    return format_html_join(
        "", '<p class="error refusal">{}</p>', ((m,) for m in context.get("refusal") or ())
    )
