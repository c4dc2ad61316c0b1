"""Django admin for clinic admins: staff accounts, and the approval requests that change them.

A clinic admin asks (a new account, a change, a reset); another clinic admin approves or refuses it on the
request's page. Names, deactivation and roles taken away apply at once. Nobody sets another person's
password here, and nobody makes a superuser (that is `manage.py createsuperuser`, on the server).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.admin_bases import OneHistoryAdmin, ReadOnlyAdmin
from screening.staff import account_kinds, accounts, approval_kinds, approvals
from screening.staff.approvals import ApprovalError, Outcome
from screening.staff.forms import (
    AccountRequestForm,
    DecisionForm,
    ResetRequestForm,
    StaffUserChangeForm,
)
from screening.staff.models import ApprovalRequest

User = get_user_model()
admin.site.unregister(User)
# django-otp's own pages would show a setup code, backup codes and app secrets in plain text: devices are
# handed out and reset only through approved requests (and the operator's emergency command).
for _device in (StaticDevice, TOTPDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


def _request_url(request: ApprovalRequest) -> str:
    return reverse("admin:screening_approvalrequest_change", args=[request.pk])


def _said(request, outcome: Outcome) -> None:
    """Tell the clinic admin what became of what they asked."""
    what = " ".join(approval_kinds.describe(outcome.request)[:1])
    if outcome.request.state == ApprovalRequest.State.APPROVED:
        messages.success(request, f"Done, approved without a second admin: {what}")
    else:
        messages.success(
            request, f"Sent for approval: {what} Another clinic admin must approve it."
        )


def _admin_form(form, fields: list[str] | None = None) -> helpers.AdminForm:
    """A plain form laid out as the admin lays out its own (admin/includes/fieldset.html)."""
    return helpers.AdminForm(form, [(None, {"fields": fields or list(form.fields)})], {})


def _shown_once(request, outcome: Outcome) -> TemplateResponse:
    """A setup code, on the approver's page only, once (never in a message kept in the session)."""
    return TemplateResponse(
        request,
        "admin/screening/approvalrequest/setup_code.html",
        {
            **admin.site.each_context(request),
            "title": "Approved: give them this setup code",
            "approval": outcome.request,
            "shown": outcome.shown_once,
        },
    )


@admin.register(User)
class StaffUserAdmin(OneHistoryAdmin, DjangoUserAdmin):
    form = StaffUserChangeForm
    change_form_template = "admin/screening/staff/user_change_form.html"
    actions = []
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "roles",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_active", "groups"]
    list_select_related = []
    fieldsets = [
        (None, {"fields": ["username"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Access", {"fields": ["is_active", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
        ("Asking for approval", {"fields": ["note"]}),
    ]
    # Staff status (the admin's door) follows the roles (accounts.py): not shown, never set by hand.
    readonly_fields = ["username", "last_login", "date_joined"]

    @admin.display(description="roles")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "-"

    def _account(self, request, object_id):
        """The account a page is about, or 404 (an id that is not one, a superuser's for a clinic
        admin)."""
        user = self.get_object(request, unquote(str(object_id)))
        if user is None:
            raise Http404("no such account")
        return user

    def get_form(self, request, obj=None, **kwargs):
        # Never Django's creation form (it sets a password): new accounts are asked for (add_view).
        return super().get_form(request, obj, **{**kwargs, "form": self.form})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_saveasnew" in request.POST:
            raise PermissionDenied  # a copy would be a new account made without approval
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # The audit log is the one history: show the account's entries there.
        user = self._account(request, object_id)
        log = reverse("admin:screening_auditevent_changelist")
        return redirect(f"{log}?{urlencode({'q': user.username})}")

    def get_queryset(self, request):
        # A clinic admin cannot reach a superuser's account (its e-mail, its second factor).
        queryset = super().get_queryset(request).prefetch_related("groups")
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Nobody changes their own roles or access: a second person gives them.
        own = obj is not None and obj.pk == request.user.pk
        return self.readonly_fields + (["groups", "user_permissions", "is_active"] if own else [])

    def get_urls(self):
        own = [
            path(
                "<int:pk>/reset/",
                self.admin_site.admin_view(self.reset_view),
                name="auth_user_reset",
            ),
        ]
        return own + super().get_urls()

    # --- Asking for a new account ----------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AccountRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            groups, permissions = form.roles()
            data = form.cleaned_data
            try:
                outcome = accounts.account_create_request(
                    actor=request.user,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    groups=groups,
                    permissions=permissions,
                    note=data["note"],
                )
            except ApprovalError as error:
                form.add_error(error.field_name or None, error.message)
            else:
                if outcome.shown_once:
                    return _shown_once(request, outcome)
                _said(request, outcome)
                return redirect(_request_url(outcome.request))
        context = {
            **self.admin_site.each_context(request),
            "title": "Ask for a new staff account",
            "form": form,
            "adminform": _admin_form(form),
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request,
            "admin/screening/staff/account_request.html",
            context,
            status=400 if form.is_bound and form.errors else 200,
        )

    # --- Changing an account ---------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        extra = {}
        if user is not None:
            extra["approvals"] = ApprovalRequest.objects.filter(
                subject=user.username
            ).select_related("requested_by", "decided_by")[:20]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def save_model(self, request, obj, form, change):
        """The service applies what gives nothing and asks for approval of the rest; ``obj`` holds the
        form's values and is not saved as it is."""
        groups, permissions = form.roles()
        data = form.cleaned_data
        try:
            changed = accounts.account_change(
                actor=request.user,
                user=obj,
                first_name=data.get("first_name", obj.first_name),
                last_name=data.get("last_name", obj.last_name),
                email=data.get("email", obj.email),
                is_active=data.get("is_active", obj.is_active),
                groups=groups,
                permissions=permissions,
                note=data.get("note", ""),
            )
        except ApprovalError as error:
            messages.error(request, f"Nothing was changed. {error.message}")
            return
        if changed.at_once:
            messages.success(request, f"Saved at once: {', '.join(changed.at_once)}.")
        for outcome in changed.requests:
            _said(request, outcome)
        if not changed.at_once and not changed.requests:
            messages.info(request, "Nothing was changed.")

    def save_related(self, request, form, formsets, change):
        """Roles and permissions were handled by the service (save_model): taken away at once, given
        only once approved."""

    def response_change(self, request, obj):
        return redirect(reverse("admin:auth_user_change", args=[obj.pk]))

    # --- Resets ----------------------------------------------------------------------------------
    def user_change_password(self, request, id, form_url=""):
        """Nobody sets another person's password: ask for a reset, which e-mails them a link."""
        messages.info(
            request,
            "Clinic admins do not set passwords. Ask for a password reset: once another clinic "
            "admin approves it, the person is e-mailed a link to set their own.",
        )
        return redirect(reverse("admin:auth_user_reset", args=[self._account(request, id).pk]))

    def reset_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        user = self._account(request, pk)
        form = ResetRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = accounts.account_reset_request(
                    actor=request.user,
                    user=user,
                    what=form.cleaned_data["what"],
                    note=form.cleaned_data["note"],
                )
            except ApprovalError as error:
                form.add_error("what", error.message)
            else:
                if outcome.shown_once:
                    return _shown_once(request, outcome)
                _said(request, outcome)
                return redirect(_request_url(outcome.request))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Ask to reset the password or second factor of {user.username}",
            "form": form,
            "adminform": _admin_form(form),
            "account": user,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request,
            "admin/screening/staff/reset_request.html",
            context,
            status=400 if form.is_bound and form.errors else 200,
        )


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    """The requests: clinic admins read each one and, if someone else asked it, approve or refuse it."""

    list_display = ["requested_at", "__str__", "requested_by", "state", "decided_by"]
    list_filter = ["state", "kind"]
    search_fields = ["subject", "requested_by__username"]
    list_select_related = ["requested_by", "decided_by"]

    def get_queryset(self, request):
        # Requests of the kinds the person may approve, and those they asked for themselves.
        mine = Q(kind__in=approval_kinds.visible_kinds(request.user)) | Q(requested_by=request.user)
        requests = super().get_queryset(request).filter(mine)
        return account_kinds.requests_visible_to(request.user, requests)

    def _request(self, request, object_id) -> ApprovalRequest:
        approval = self.get_object(request, unquote(str(object_id)))
        if approval is None:
            raise Http404("no such request")
        return approval

    def get_urls(self):
        own = [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="screening_approvalrequest_decide",
            ),
            path(
                "<int:pk>/withdraw/",
                self.admin_site.admin_view(require_POST(self.withdraw_view)),
                name="screening_approvalrequest_withdraw",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        approval = self._request(request, object_id)
        return self._page(request, approval, DecisionForm(initial=self._initial(approval)))

    @staticmethod
    def _initial(approval: ApprovalRequest) -> dict:
        return {"content_hash": approval.content_hash}

    def _page(self, request, approval, form, status: int = 200) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": str(approval),
            "approval": approval,
            "lines": approval_kinds.describe(approval),
            "account_now": account_kinds.account_now(approval)
            if approval.state == ApprovalRequest.State.PENDING
            else "",
            "may_decide": approvals.may_approve(request.user, approval),
            "links": approval_kinds.links(approval),
            # Said before anyone approves: approving now would void it (the subject changed since)
            "no_longer_applies": approval_kinds.KINDS[approval.kind].still_applies(approval)
            if approval.state == ApprovalRequest.State.PENDING
            else "",
            "approver_name": approval_kinds.approver_name(approval),
            "asked_it": approval.requested_by_id == request.user.pk,
            "form": form,
            "adminform": _admin_form(form, ["comment"]),
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/screening/approvalrequest/change_form.html", context, status=status
        )

    def decide_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        approval = self._request(request, pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose Approve or Refuse.")
            return redirect(_request_url(approval))
        try:
            outcome = approvals.approval_decide(
                request_id=approval.pk,
                approver=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
                seen_hash=form.cleaned_data["content_hash"],
            )
        except ApprovalError as error:
            if error.field_name:
                form.add_error(error.field_name, error.message)
                approval.refresh_from_db()
                return self._page(request, approval, form, status=400)
            messages.error(request, error.message)
            return redirect(_request_url(approval))
        if outcome.void_reason:
            messages.error(request, f"{outcome.void_reason} The request is void: ask again.")
        elif outcome.shown_once:
            return _shown_once(request, outcome)
        else:
            messages.success(request, f"{outcome.request.get_state_display().capitalize()}.")
        return redirect(_request_url(approval))

    def withdraw_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        approval = self._request(request, pk)
        try:
            approvals.approval_withdraw(request_id=approval.pk, actor=request.user)
        except ApprovalError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Withdrawn.")
        return redirect(reverse("admin:screening_approvalrequest_change", args=[pk]))
