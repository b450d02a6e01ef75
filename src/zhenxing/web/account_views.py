"""系统设置 → 账号管理: county and township admins manage the accounts of their subtree. The API
twin is /api/v1/accounts; both call ``accounts.services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts import selectors, services
from zhenxing.accounts.models import User
from zhenxing.accounts.scoping import get_visible_or_404, visible
from zhenxing.regions.models import Level, Region
from zhenxing.web.order_forms import add_service_errors
from zhenxing.web.service_views import _settings_tabs

MANAGED_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.DISTRICT, Level.VILLAGE, Level.COMMUNITY)


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=150, required=False)
    role = forms.ChoiceField(label=gettext_lazy("角色"))
    scope_region = forms.ModelChoiceField(
        label=gettext_lazy("管辖区域"), queryset=Region.objects.none(), empty_label=None
    )
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("至少 8 位，不能过于常见、不能全是数字、不能与用户名相近"),
    )

    def __init__(self, request: HttpRequest, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        roles = selectors.assignable_roles(request.user)  # type: ignore[arg-type]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["scope_region"].queryset = visible(
            Region.objects.filter(level__in=MANAGED_LEVELS),
            request.scope,  # type: ignore[attr-defined]
        ).order_by("path")
        if editing:
            del self.fields["username"], self.fields["password"]


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _manager(request: HttpRequest) -> User:
    if not selectors.may_manage(request.user):  # type: ignore[arg-type]
        raise Http404
    return request.user  # type: ignore[return-value]


def _saved(form: forms.Form, call) -> object | None:  # type: ignore[no-untyped-def]
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = AccountForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = _saved(
            form,
            lambda: services.account_create(
                actor=actor,
                scope=request.scope,  # type: ignore[attr-defined]
                username=data["username"],
                password=data["password"],
                role=data["role"],
                scope_region=data["scope_region"],
                full_name=data["full_name"],
            ),
        )
        if user is not None:
            messages.success(request, _("已开设账号 %(u)s") % {"u": data["username"]})
            return redirect("account_detail", account_id=user.pk)  # type: ignore[attr-defined]
    context = {
        "accounts": selectors.accounts(request.scope),  # type: ignore[attr-defined]
        "form": form,
        "tabs": _settings_tabs(request, "accounts"),
    }
    return render(request, "accounts/manage_list.html", context)


@login_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = _manager(request)
    scope = request.scope  # type: ignore[attr-defined]
    account = get_visible_or_404(User.objects.select_related("scope_region"), scope, pk=account_id)
    initial = {
        "role": account.role,
        "scope_region": account.scope_region_id,
        "full_name": account.first_name,
    }
    action = request.POST.get("action", "")
    form = AccountForm(
        request, request.POST if action == "edit" else None, editing=True, initial=initial
    )
    password_form = PasswordForm(request.POST if action == "reset" else None)
    done = None
    if action == "edit" and form.is_valid():
        data = form.cleaned_data
        done = _saved(
            form,
            lambda: services.account_update(
                actor=actor,
                scope=scope,
                user=account,
                role=data["role"],
                scope_region=data["scope_region"],
                full_name=data["full_name"],
            ),
        )
    elif action == "reset" and password_form.is_valid():
        done = _saved(
            password_form,
            lambda: services.account_password_reset(
                actor=actor, user=account, password=password_form.cleaned_data["password"]
            ),
        )
    elif action in {"disable", "enable"}:
        try:
            done = services.account_set_active(actor=actor, user=account, active=action == "enable")
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
            return redirect("account_detail", account_id=account.pk)
    if done is not None:
        messages.success(request, _("已保存"))
        return redirect("account_detail", account_id=account.pk)
    context = {
        "account": account,
        "form": form,
        "password_form": password_form,
        "events": selectors.account_events(account),
        "tabs": _settings_tabs(request, "accounts"),
    }
    return render(request, "accounts/manage_detail.html", context)
