"""The clinic admins' forms for staff accounts and approvals. Errors say what to fix, next to the field."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.validators import UnicodeUsernameValidator

from screening.forms_base import has_hidden_characters
from screening.staff import account_roles
from screening.staff.models import ApprovalRequest

User = get_user_model()
# Roles are groups; the one permission given person by person is "export identifiable data".
GRANTABLE_PERMISSIONS = [("screening", "export_identifiable_case")]
NOTE_HELP = "Why, for the clinic admin who approves it (optional)."


def grantable_permissions():
    return Permission.objects.filter(
        content_type__app_label="screening",
        codename__in=[codename for _app, codename in GRANTABLE_PERMISSIONS],
    )


class PermissionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name.removeprefix("Can ").capitalize()


def _roles_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Roles",
        queryset=Group.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Giving a role needs a second clinic admin's approval; taking one away does not.",
    )


def _permissions_field() -> PermissionChoice:
    return PermissionChoice(
        label="Permissions of their own",
        queryset=grantable_permissions(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Export identifiable data adds names, dates of birth and contact details to the "
        "CSV and FHIR exports. Giving it needs a second clinic admin's approval.",
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        label="Note for the approver",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
        help_text=NOTE_HELP,
    )


class NameField(forms.CharField):
    """A person's name as staff pages show it: visible characters only."""

    def __init__(self, label: str, **kwargs):
        super().__init__(label=label, max_length=150, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and has_hidden_characters(value):
            raise forms.ValidationError(
                "Remove the hidden characters (control, direction or invisible characters)",
                code="hidden",
            )


def _names(cleaned: dict) -> tuple[list[str], list[str]]:
    groups = [g.name for g in cleaned.get("groups") or []]
    permissions = [account_roles.permission_key(p) for p in cleaned.get("user_permissions") or []]
    return groups, permissions


class AccountRequestForm(forms.Form):
    """Ask for a new staff account. No password: the new member sets their own from an e-mailed link."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they sign in with: letters, digits and @ . + - _ only.",
        error_messages={"required": "Enter a username"},
    )
    first_name = NameField("First name", error_messages={"required": "Enter their first name"})
    last_name = NameField("Last name", error_messages={"required": "Enter their last name"})
    email = forms.EmailField(
        label="E-mail address",
        help_text="Their own work address: the link to set their password goes there.",
        error_messages={
            "required": "Enter their e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"] = _roles_field()
        self.fields["user_permissions"] = _permissions_field()
        self.fields["note"] = _note_field()

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("An account with this username exists: choose another")
        waiting = ApprovalRequest.objects.filter(
            kind=ApprovalRequest.Kind.ACCOUNT_CREATE,
            subject__iexact=username,
            state=ApprovalRequest.State.PENDING,
        )
        if waiting.exists():
            raise forms.ValidationError(
                "A request for an account with this username is already waiting for approval"
            )
        return username

    def clean(self):
        cleaned = super().clean()
        problem = account_roles.roles_problem(*_names(cleaned))
        if problem:
            self.add_error("groups", problem)
        return cleaned

    def roles(self) -> tuple[list[str], list[str]]:
        return _names(self.cleaned_data)


class StaffUserChangeForm(forms.ModelForm):
    """A staff account's page. What gives nothing applies on saving; the rest is sent for approval."""

    note = forms.CharField(required=False)  # replaced in __init__ (a form field, not the model's)
    first_name = NameField("First name", required=False)
    last_name = NameField("Last name", required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "is_active", "groups", "user_permissions"]
        help_texts = {
            "email": "A new address is used once a second clinic admin approves it.",
            "is_active": "Untick to stop this account signing in, at once. Ticking it again needs "
            "a second clinic admin's approval.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"] = _roles_field()
        if "user_permissions" in self.fields:
            self.fields["user_permissions"] = _permissions_field()
        self.fields["note"] = _note_field()

    def clean(self):
        cleaned = super().clean()
        user = self.instance
        held_groups, held_permissions = account_roles.roles_of(user)
        groups, permissions = _names(cleaned)
        if "groups" not in self.fields:
            groups = held_groups
        if "user_permissions" not in self.fields:
            permissions = held_permissions
        problem = account_roles.roles_problem(groups, permissions)
        if problem:
            self.add_error("groups" if "groups" in self.fields else None, problem)
        active = cleaned.get("is_active", user.is_active)
        problem = account_roles.approvers_problem(user, groups, permissions, active)
        if problem:
            self.add_error("groups" if "groups" in self.fields else None, problem)
        waiting = ApprovalRequest.objects.filter(
            subject=user.username, state=ApprovalRequest.State.PENDING
        ).values_list("kind", flat=True)
        email = cleaned.get("email")
        if (
            email is not None
            and email != user.email
            and ApprovalRequest.Kind.ACCOUNT_EMAIL in waiting
        ):
            self.add_error(
                "email",
                "A change of this account's e-mail address is already waiting for approval: "
                "approve, refuse or withdraw it first",
            )
        gives = (
            set(groups) - set(held_groups)
            or set(permissions) - set(held_permissions)
            or (cleaned.get("is_active") and not user.is_active)
        )
        if gives and ApprovalRequest.Kind.ACCOUNT_GRANT in waiting:
            self.add_error(
                "groups" if "groups" in self.fields else None,
                "Roles or access for this account are already waiting for approval: approve, "
                "refuse or withdraw that request first",
            )
        return cleaned

    def roles(self) -> tuple[list[str], list[str]]:
        held_groups, held_permissions = account_roles.roles_of(self.instance)
        groups, permissions = _names(self.cleaned_data)
        return (
            groups if "groups" in self.fields else held_groups,
            permissions if "user_permissions" in self.fields else held_permissions,
        )


class ResetRequestForm(forms.Form):
    what = forms.ChoiceField(
        label="What to reset",
        choices=[
            (
                "password",
                "Their password: it stops working, and they are e-mailed a link to set a new one",
            ),
            (
                "second_factor",
                "Their second factor: their app and backup codes stop working, and "
                "the approver is shown a one-time setup code to give them",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to reset"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = _note_field()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")])
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
        help_text="Kept with the decision. Needed to refuse: say why.",
    )
