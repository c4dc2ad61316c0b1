"""Django admin for clinic admins: the audit log (rules admins read the rules' entries), the outgoing
e-mails, and staff accounts with their approvals (accounts_admin.py). Patient data is not browsable here:
staff use the coordinator workspace."""

from django.contrib import admin

from screening.admin_bases import ReadOnlyAdmin
from screening.casework.models import OutgoingEmail
from screening.staff import accounts_admin  # noqa: F401  (staff accounts and approval requests)
from screening.staff.models import AuditEvent
from screening.staff.sign_in import AdminSignInForm

admin.site.login_form = AdminSignInForm


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_ref"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_ref", "action", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = ["at", "actor", "action", "object_type", "object_ref", "detail"]

    def get_queryset(self, request):
        # Rules admins read the rules' entries; the whole log (case reads included) is the clinic admin's.
        queryset = super().get_queryset(request)
        if request.user.has_perm("screening.view_all_auditevent"):
            return queryset
        return queryset.filter(object_type__in=["rule", "ruleset", "next_step", "rule_test"])


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """Delivery of the app's e-mails, for clinic admins: what was sent, and what failed and why (the
    error's type only). The content is not kept: it is rendered when sent."""

    list_display = ["created_at", "kind", "reference", "state", "attempts", "last_error", "sent_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["case__intake"]
    readonly_fields = [
        "kind",
        "reference",
        "references",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    fields = readonly_fields

    @admin.display(description="case", ordering="case__intake__reference")
    def reference(self, email: OutgoingEmail) -> str:
        return email.case.intake.reference if email.case_id else "-"
