"""Django admin for rules admins: edit the draft rules, preview them against past intakes, publish them as
a version, read versions with what changed, restore one. Every change is in the audit log (rulesets.py
writes it)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from screening.admin_bases import OneHistoryAdmin, ReadOnlyAdmin
from screening.casework import case_screening
from screening.rules import rulesets
from screening.rules.forms import ConditionForm, PublishForm
from screening.rules.models import ConditionDraft, NextStep, RuleDraft, RulesetVersion
from screening.rules.terms import RulesetError


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
                version = case_screening.publish_and_rescreen(
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
        request.rule_before = (
            rulesets.rule_snapshot(RuleDraft.objects.get(pk=obj.pk)) if change else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rulesets.rule_record_saved(
            actor=request.user, rule=form.instance, before=request.rule_before
        )

    def delete_model(self, request, obj):
        rulesets.rule_delete(actor=request.user, rule=obj)

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
        rulesets.rules_set_enabled(actor=request.user, rules=queryset, enabled=enabled)


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


@admin.register(NextStep)
class NextStepAdmin(OneHistoryAdmin):
    """The next step staff read for each outcome and red-flag tier, published with the rules."""

    list_display = ["key", "text"]
    fields = ["key", "text"]
    readonly_fields = ["key"]

    def has_add_permission(self, request):
        return False  # one per outcome and tier, made with the default rules

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        rulesets.next_step_change(actor=request.user, step=obj, text=form.cleaned_data["text"])
