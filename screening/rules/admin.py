"""Django admin for rules admins: edit the draft rules, preview them against past intakes, publish them as
a version, read versions with what changed, restore one. Every change is in the audit log (rulesets.py
writes it)."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from screening.admin_bases import OneHistoryAdmin, ReadOnlyAdmin
from screening.intake.facts import fact_specs
from screening.rules import changes, outcomes, previews, publishing, rule_tests, rulesets
from screening.rules.forms import (
    ConditionForm,
    PublishForm,
    RestoreForm,
    RuleTestCaseForm,
    editor_data,
)
from screening.rules.models import (
    ConditionDraft,
    NextStep,
    RuleDraft,
    RulesetVersion,
    RuleTestCase,
)
from screening.rules.terms import RulesetError
from screening.staff.approvals import ApprovalError


def _test_context() -> dict:
    """The test cases run on the draft, for a page: all results, the failing ones, or why they could
    not run."""
    try:
        results = rule_tests.run_draft()
    except RulesetError as error:
        return {"test_problems": error.problems, "test_results": [], "failing_tests": []}
    return {"test_results": results, "failing_tests": rule_tests.failing(results)}


class ConditionInline(admin.StackedInline):
    """Each condition a block of its own: a question picked by its wording, the condition in words, and
    the value of the question's kind (rule_editor.js shows only the value that fits)."""

    model = ConditionDraft
    form = ConditionForm
    extra = 0
    min_num = 1
    fields = ["fact", "op", "choices", "number", "period_amount", "period_unit", "position"]
    classes = ["fc-conditions"]

    def get_formset(self, request, obj=None, **kwargs):
        # A rule needs at least one condition: refuse a save that would leave it with none.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(RuleDraft)
class RuleDraftAdmin(OneHistoryAdmin):
    list_display = ["title", "outcome_shown", "when", "enabled", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["outcome", "enabled"]
    search_fields = ["key", "title", "explanation", "source"]
    inlines = [ConditionInline]
    fieldsets = [
        (None, {"fields": ["in_words", "title", "key", "outcome", "join", "enabled"]}),
        (
            "For staff and patients",
            {"fields": ["explanation", "source", "patient_message", "patient_message_es", "tier"]},
        ),
    ]
    actions = ["disable_rules", "enable_rules"]
    change_list_template = "admin/screening/ruledraft/change_list.html"
    change_form_template = "admin/screening/ruledraft/change_form.html"

    class Media:
        js = ["screening/rule_editor.js"]

    def render_change_form(self, request, context, *args, **kwargs):
        context["editor_data"] = editor_data()
        context["waiting"] = publishing.waiting()
        return super().render_change_form(request, context, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        extra = {"waiting": publishing.waiting(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_queryset(self, request):
        # Listed by outcome, most severe first, then by title: how clinicians think of them.
        by_severity = Case(
            *(When(outcome=o, then=Value(rank)) for rank, o in enumerate(outcomes.Outcome)),
            output_field=IntegerField(),
        )
        rules = self.model._default_manager.annotate(severity=by_severity)
        return rules.prefetch_related("conditions").order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["severity", "title"]

    def get_readonly_fields(self, request, obj=None):
        # The key names the rule in versions, results and the audit log: set once, never renamed.
        return ["in_words", "key"] if obj is not None else ["in_words"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # nothing to put into words yet
            first = [f for f in fieldsets[0][1]["fields"] if f != "in_words"]
            return [(None, {"fields": first}), *fieldsets[1:]]
        return fieldsets

    @admin.display(description="Outcome", ordering="severity")
    def outcome_shown(self, rule: RuleDraft) -> str:
        return changes.outcome_text({"outcome": rule.outcome, "tier": rule.tier})

    @admin.display(description="When")
    def when(self, rule: RuleDraft) -> str:
        data = rulesets.rule_data(rule)
        lead = "all of: " if rule.join == "all" and len(data["conditions"]) > 1 else ""
        lead = "any of: " if rule.join == "any" and len(data["conditions"]) > 1 else lead
        return lead + changes.conditions_sentence(data, fact_specs())

    @admin.display(description="The rule in words")
    def in_words(self, rule: RuleDraft) -> str:
        if rule.pk is None:
            return ""
        data = rulesets.rule_data(rule)
        return render_to_string(
            "admin/screening/ruledraft/in_words.html",
            {
                "lead": changes.rule_lead(data),
                "lines": changes.condition_lines(data, fact_specs()),
                "rule": data,
            },
        )

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

    def _require_previewer(self, request):
        # Rules admins preview their draft; rules approvers read the preview of what they approve.
        if not (
            request.user.has_perm("screening.publish_rulesetversion")
            or request.user.has_perm("screening.approve_rulesetversion")
        ):
            raise PermissionDenied

    def preview_view(self, request):
        """The draft beside the published version over past submitted intakes: who would move where,
        run in the background and kept until the draft changes; and the test cases on the draft."""
        self._require_previewer(request)
        period = "90" if request.GET.get("period") == "90" else "all"
        days = previews.DAYS if period == "90" else None
        preview = previews.start(days=days, actor=request.user)
        if request.GET.get("progress"):  # polled by preview_progress.js while it runs
            return JsonResponse(
                {"state": preview.state, "done": preview.done, "total": preview.total}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview the draft rules",
            "period": period,
            "days": previews.DAYS,
            "preview": preview,
            "moves": previews.moves_for_display(preview),
            "moved": sum(len(m["cases"]) for m in preview.result.get("moves", [])),
            "opts": self.model._meta,
            "changes": rulesets.draft_changes(),
            "may_submit": request.user.has_perm("screening.publish_rulesetversion"),
        }
        context |= _test_context()
        return TemplateResponse(request, "admin/screening/ruledraft/preview.html", context)

    def publish_view(self, request):
        """Submit the draft to be published, with a note: a rules approver approves it (or, with
        RULES_NEED_SECOND_PERSON off, it is published at once). Refused while a test case fails."""
        self._require_publisher(request)
        form = PublishForm(request.POST or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                outcome = publishing.submit(
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    rescreen=form.cleaned_data["rescreen"],
                )
            except RulesetError as error:
                problems = error.problems
            except ApprovalError as error:
                problems = [error.message]
            else:
                return self._submitted(request, outcome)
        context = {
            **self.admin_site.each_context(request),
            "title": "Publish the draft rules",
            "form": form,
            "problems": problems or publishing.blockers(),
            "waiting": publishing.waiting(),
            "second_person": publishing.needs_second_person(),
            "nobody_to_approve": publishing.needs_second_person()
            and not publishing.other_approvers(request.user),
            "opts": self.model._meta,
            "changes": rulesets.draft_changes(),
        }
        # Refusals are shown on the page with 200, as the admin's own forms do.
        return TemplateResponse(request, "admin/screening/ruledraft/publish.html", context)

    @staticmethod
    def _submitted(request, outcome):
        approval = outcome.request
        if approval.state == approval.State.APPROVED:
            version = RulesetVersion.objects.get(number=outcome.shown_once["version"])
            messages.success(request, f"Published the rules as {version}, without a second review.")
            return redirect(reverse("admin:screening_rulesetversion_change", args=[version.pk]))
        messages.success(
            request,
            "Submitted for approval. The rules approvers are told by e-mail; the draft is published "
            "when one of them approves it. Editing the draft meanwhile voids the submission.",
        )
        return redirect(reverse("admin:screening_approvalrequest_change", args=[approval.pk]))

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
    list_display = ["number", "published_at", "published_by", "review", "note"]
    list_select_related = ["published_by"]
    readonly_fields = ["number", "published_at", "published_by", "note"]
    fields = (
        readonly_fields  # its rules as data and its hash: under "technical details" (the template)
    )
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
        extra = {
            "changes": rulesets.version_changes(version),
            "version": version,
            "content_json": json.dumps(
                {"rules": version.content, "next_steps": version.next_steps}, indent=2
            ),
            "previous": rulesets.previous_version(version),
            "can_restore": request.user.has_perm("screening.publish_rulesetversion")
            and (not publishing.needs_second_person() or publishing.may_restore_alone(version))
            and version != rulesets.latest_version(),
            "restore_form": RestoreForm(),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def restore_view(self, request, pk):
        if not request.user.has_perm("screening.publish_rulesetversion"):
            raise PermissionDenied
        version = get_object_or_404(RulesetVersion, pk=pk)
        form = RestoreForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["reason"][0])
            return redirect(reverse("admin:screening_rulesetversion_change", args=[pk]))
        try:
            restored = publishing.restore_alone(
                version=version, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except RulesetError as error:
            messages.error(request, "Not restored: " + "; ".join(error.problems))
            return redirect(reverse("admin:screening_rulesetversion_change", args=[pk]))
        messages.success(
            request,
            f"Restored {version} as {restored}: in use now"
            + (
                ", and the rules approvers are asked to review it."
                if publishing.needs_second_person()
                else "."
            ),
        )
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


@admin.register(RuleTestCase)
class RuleTestCaseAdmin(OneHistoryAdmin):
    """Test cases: made from a case's reference or an intake file, with the outcome they must have."""

    form = RuleTestCaseForm
    list_display = ["name", "expected", "must_fire", "must_not_fire", "on_the_draft"]
    search_fields = ["name", "source"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "name",
                "reference",
                "intake_file",
                "expected_outcome",
                "must_fire",
                "must_not_fire",
            ]
        return [
            "name",
            "source",
            "answers_kept",
            "expected_outcome",
            "must_fire",
            "must_not_fire",
            "expectation_reason",
            "last_reason",
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["source", "answers_kept", "last_reason"] if obj is not None else []

    def changelist_view(self, request, extra_context=None):
        try:
            self._results = {r.case.pk: r for r in rule_tests.run_draft()}
        except RulesetError:
            self._results = {}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Expected outcome", ordering="expected_outcome")
    def expected(self, case: RuleTestCase) -> str:
        return outcomes.label(case.expected_outcome)

    @admin.display(description="On the draft")
    def on_the_draft(self, case: RuleTestCase) -> str:
        result = getattr(self, "_results", {}).get(case.pk)
        if result is None:
            return "not run: the draft does not compile"
        return "passes" if result.passed else "FAILS: " + "; ".join(result.problems)

    @admin.display(description="Answers kept")
    def answers_kept(self, case: RuleTestCase) -> str:
        age = f"age {case.age}; " if case.age is not None else ""
        return f"{age}{len(case.answers)} answers, without identity, free text or dates"

    @admin.display(description="Why the expectation last changed")
    def last_reason(self, case: RuleTestCase) -> str:
        return case.expectation_reason or "(never changed)"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        expectation = {
            "expected_outcome": data["expected_outcome"],
            "must_fire": data["must_fire"],
            "must_not_fire": data["must_not_fire"],
        }
        if change:
            before = RuleTestCase.objects.get(pk=obj.pk)
            obj.name = data["name"]
            RuleTestCase.objects.filter(pk=obj.pk).update(name=obj.name)
            if any(getattr(before, f) != v for f, v in expectation.items()):
                rule_tests.expectation_change(
                    actor=request.user,
                    case=before,
                    reason=data["expectation_reason"],
                    **expectation,
                )
            return
        source = data["source"]
        if "intake" in source:
            made = rule_tests.test_case_from_intake(
                actor=request.user, intake=source["intake"], name=data["name"], **expectation
            )
        else:
            made = rule_tests.test_case_from_answers(
                actor=request.user,
                answers=source["answers"],
                screened_on=source["screened_on"],
                name=data["name"],
                **expectation,
            )
        obj.pk = made.pk

    def delete_model(self, request, obj):
        rule_tests.test_case_delete(actor=request.user, case=obj)

    def delete_queryset(self, request, queryset):
        for case in queryset:
            self.delete_model(request, case)
