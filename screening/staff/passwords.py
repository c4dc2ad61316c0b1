"""Staff passwords: setting one from the link an approved account or reset sends, and changing one's own.

Clinic admins never set a password: an approved new account or password reset e-mails its owner a link
(Django's password-reset token: it works once, stops when the password changes, and expires after
PASSWORD_RESET_TIMEOUT). The link's first request moves the token into the session (Django's view), so it
is in the address only once, and gunicorn's access log redacts it (facetclinic/access_log.py). Both
changes are audited by the receiver that records every password change (screening/staff/sign_in_audit.py), with the
account's owner as the one who made it.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.urls import reverse_lazy

from screening.forms_base import StaffForm
from screening.staff import audit_log as audit


class _Messages:
    """Password errors in the pages' own words, each next to its field and in the summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields[
            "new_password1"
        ].help_text = (
            "At least 12 characters. A few unrelated words are easy to remember and hard to guess."
        )
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        mismatch = "The two passwords are not the same: type the new password twice"
        self.error_messages = {**self.error_messages, "password_mismatch": mismatch}


class SetOwnPasswordForm(_Messages, StaffForm, SetPasswordForm):
    pass


class ChangeOwnPasswordForm(_Messages, StaffForm, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your password now"
        self.fields["old_password"].error_messages["required"] = "Enter your password now"
        wrong = "Your password now is not right: enter the password you sign in with"
        self.error_messages["password_incorrect"] = wrong

    field_order = ["old_password", "new_password1", "new_password2"]


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link in an approved account's e-mail: set a password. Nobody is signed in by it."""

    form_class = SetOwnPasswordForm
    template_name = "screening/staff/set_password.html"
    success_url = reverse_lazy("screening:set-password-done")
    post_reset_login = False

    def form_valid(self, form):
        # The receiver that audits password changes names the person who changed it: the owner.
        token = audit.request_user.set(self.user)
        try:
            return super().form_valid(form)
        finally:
            audit.request_user.reset(token)


class ChangeOwnPasswordView(auth_views.PasswordChangeView):
    form_class = ChangeOwnPasswordForm
    template_name = "screening/staff/password_change.html"
    success_url = reverse_lazy("screening:staff-password-done")
