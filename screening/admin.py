"""Django admin: rules admins edit the screening rules (drafts), preview and publish them, and read versions;
clinic admins read the audit log and outgoing e-mails, and manage staff accounts (screening/staff/admin.py).

Patient data is not browsable here: staff use the coordinator workspace. Every rule change goes to the audit
log with what changed.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from screening.admin_bases import OneHistoryAdmin, ReadOnlyAdmin
from screening.casework import screening
from screening.casework.models import OutgoingEmail
from screening.intake.facts import fact_specs
from screening.rules import rulesets
from screening.rules.engine import Condition, Op, RulesetError, check_condition
from screening.rules.models import ConditionDraft, RuleDraft, RulesetVersion
from screening.rules.values import format_value, parse_value
from screening.staff import audit_log as audit
from screening.staff.models import AuditEvent
from screening.staff.sign_in import AdminSignInForm

admin.site.login_form = AdminSignInForm


def _fact_choices():
    specs = fact_specs()
    return sorted(
        ((key, f"{spec.label or key} ({key})") for key, spec in specs.items()),
        key=lambda c: c[1].lower(),
    )


class ConditionForm(forms.ModelForm):
    """A condition: a fact chosen by its label, an operator that must fit it, a value checked against it."""

    fact = forms.ChoiceField(choices=_fact_choices)
    value_text = forms.CharField(
        label="Value",
        required=False,
        help_text="A number (80), a choice code (yes), codes separated by commas (pregnant, breastfeeding), "
        "or a period (3 months). Empty for 'is yes', 'is no', 'is answered' and 'is not answered'.",
    )

    class Meta:
        model = ConditionDraft
        fields = ["position", "fact", "op"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["value_text"] = format_value(self.instance.value)

    def clean(self):
        cleaned = super().clean()
        fact, op = cleaned.get("fact"), cleaned.get("op")
        if not fact or not op:
            return cleaned
        specs = fact_specs()
        try:
            value = parse_value(cleaned.get("value_text", ""), Op(op), specs.get(fact))
        except ValueError as error:
            self.add_error("value_text", str(error))
            return cleaned
        problem = check_condition(Condition(fact, Op(op), value), specs)
        if problem:
            self.add_error(
                "value_text"
                if "value" in problem or "choice" in problem or "number" in problem
                else "op",
                problem[0].upper() + problem[1:] + ".",
            )
        self.instance.value = value
        return cleaned


class ConditionInline(admin.TabularInline):
    model = ConditionDraft
    form = ConditionForm
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        # A rule needs at least one condition: refuse a save that would leave it with none.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(RuleDraft)
class RuleDraftAdmin(OneHistoryAdmin):
    list_display = ["key", "title", "outcome", "enabled", "updated_at"]
    list_filter = ["outcome", "enabled"]
    search_fields = ["key", "title", "explanation", "source"]
    inlines = [ConditionInline]
    fieldsets = [
        (None, {"fields": ["key", "title", "outcome", "join", "enabled"]}),
        (
            "For staff and patients",
            {"fields": ["explanation", "source", "patient_message", "tier"]},
        ),
    ]
    actions = ["disable_rules", "enable_rules"]
    change_list_template = "admin/screening/ruledraft/change_list.html"

    def history_view(self, request, object_id, extra_context=None):
        # The audit log is the one history: show the rule's entries there.
        rule = get_object_or_404(RuleDraft, pk=object_id)
        return redirect(reverse("admin:screening_auditevent_changelist") + f"?q={rule.key}")

    def get_urls(self):
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="screening_ruledraft_preview",
            ),
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name="screening_ruledraft_publish",
            ),
        ]
        return own + super().get_urls()

    def _require_publisher(self, request):
        if not request.user.has_perm("screening.publish_rulesetversion"):
            raise PermissionDenied

    def preview_view(self, request):
        """The draft beside the published version over past submitted intakes: who would move where."""
        self._require_publisher(request)
        period = request.GET.get("period", "90")
        days = None if period == "all" else 90
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview the draft rules",
            "period": "all" if days is None else "90",
            "opts": self.model._meta,
        }
        try:
            context["preview"] = rulesets.preview(days=days)
        except RulesetError as error:
            context["problems"] = error.problems
        context["changes"] = rulesets.diff(
            rulesets.latest_version().content if rulesets.latest_version() else [],
            rulesets.draft_data(),
        )
        return TemplateResponse(request, "admin/screening/ruledraft/preview.html", context)

    def publish_view(self, request):
        """Freeze the draft as a new version, with a note. Refuses a draft that does not compile."""
        self._require_publisher(request)
        form = PublishForm(request.POST or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                version = screening.publish_and_rescreen(
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    rescreen=form.cleaned_data["rescreen"],
                )
            except RulesetError as error:
                problems = error.problems
            else:
                messages.success(request, f"Published the rules as {version}.")
                return redirect(reverse("admin:screening_rulesetversion_change", args=[version.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Publish the draft rules",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
            "changes": rulesets.diff(
                rulesets.latest_version().content if rulesets.latest_version() else [],
                rulesets.draft_data(),
            ),
        }
        return TemplateResponse(request, "admin/screening/ruledraft/publish.html", context)

    def save_model(self, request, obj, form, change):
        # The rule as stored before this save (the form's instance already holds the new values).
        request.rule_before = _snapshot(RuleDraft.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit.record(
            actor=request.user,
            action="rule.change" if change else "rule.add",
            object_type="rule",
            object_ref=form.instance.key,
            detail={"before": request.rule_before, "after": _snapshot(form.instance)},
        )

    def delete_model(self, request, obj):
        snapshot = _snapshot(obj)
        super().delete_model(request, obj)
        audit.record(
            actor=request.user,
            action="rule.delete",
            object_type="rule",
            object_ref=obj.key,
            detail={"before": snapshot},
        )

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)

    @admin.action(description="Disable the selected rules (in the draft)", permissions=["change"])
    def disable_rules(self, request, queryset):
        self._set_enabled(request, queryset, False)

    @admin.action(description="Enable the selected rules (in the draft)", permissions=["change"])
    def enable_rules(self, request, queryset):
        self._set_enabled(request, queryset, True)

    def _set_enabled(self, request, queryset, enabled):
        for rule in queryset.exclude(enabled=enabled):
            rule.enabled = enabled
            rule.save(update_fields=["enabled", "updated_at"])
            audit.record(
                actor=request.user,
                action="rule.enable" if enabled else "rule.disable",
                object_type="rule",
                object_ref=rule.key,
                detail={"enabled": enabled},
            )


def _snapshot(rule: RuleDraft) -> dict:
    return {
        "key": rule.key,
        "title": rule.title,
        "outcome": rule.outcome,
        "join": rule.join,
        "enabled": rule.enabled,
        "explanation": rule.explanation,
        "source": rule.source,
        "patient_message": rule.patient_message,
        "tier": rule.tier,
        "conditions": [[c.fact, c.op, c.value] for c in rule.conditions.all()],
    }


class PublishForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why these rules changed: it is kept with the version.",
        error_messages={"required": "Enter a note saying why the rules changed."},
    )
    rescreen = forms.BooleanField(
        required=False,
        initial=True,
        label="Re-screen submitted intakes",
        help_text="Screen every submitted intake again with the new version, in the background. Earlier "
        "results are kept.",
    )


@admin.register(RulesetVersion)
class RulesetVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "published_at", "published_by", "note", "content_hash"]
    list_select_related = ["published_by"]
    readonly_fields = ["number", "published_at", "published_by", "note", "content_hash", "content"]
    change_form_template = "admin/screening/rulesetversion/change_form.html"

    def get_urls(self):
        own = [
            path(
                "<int:pk>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name="screening_rulesetversion_restore",
            )
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = get_object_or_404(RulesetVersion, pk=object_id)
        previous = (
            RulesetVersion.objects.filter(number__lt=version.number).order_by("-number").first()
        )
        extra = {
            "changes": rulesets.diff(previous.content if previous else [], version.content),
            "previous": previous,
            "can_restore": request.user.has_perm("screening.publish_rulesetversion")
            and version != rulesets.latest_version(),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def restore_view(self, request, pk):
        if not request.user.has_perm("screening.publish_rulesetversion"):
            raise PermissionDenied
        version = get_object_or_404(RulesetVersion, pk=pk)
        try:
            restored = rulesets.ruleset_restore(version=version, actor=request.user)
        except RulesetError as error:
            messages.error(
                request, "This version no longer fits the questions: " + "; ".join(error.problems)
            )
            return redirect(reverse("admin:screening_rulesetversion_change", args=[pk]))
        messages.success(request, f"Restored {version} as {restored}.")
        return redirect(reverse("admin:screening_rulesetversion_change", args=[restored.pk]))


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
        return queryset.filter(object_type__in=["rule", "ruleset"])


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


# Staff accounts and their approvals: screening/staff/admin.py.
from screening.staff import admin as staff_admin  # noqa: E402, F401
