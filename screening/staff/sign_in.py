"""Signing staff in: refusing an address with many failed sign-ins (against password spraying), saying so
on both sign-in pages, and reading a staff member's permissions in one query (with the rule that an
account that manages accounts reads no patient data)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from screening.staff.attempt_limits import blocked, client_key, take
from screening.staff.roles import MANAGES_ACCOUNTS, READS_PATIENT_DATA

# --- Failed sign-ins per address: against password spraying -----------------------------------------
# django-axes locks a username at an address after a few failures; one address trying a few passwords on
# every username would never trip it. This backend, ahead of axes, refuses every sign-in from an address
# with too many failures in the last hour (whatever the username), and the failure signal counts them.
SPRAY_WINDOW = timedelta(hours=1)


def _spray_key(request) -> str:
    return client_key("staff-login-failures", request)


def address_blocked(request) -> bool:
    return request is not None and blocked(
        _spray_key(request), limit=settings.STAFF_LOGIN_FAILURES_PER_ADDRESS
    )


def count_failure(request) -> None:
    if request is not None:
        take(
            _spray_key(request),
            limit=settings.STAFF_LOGIN_FAILURES_PER_ADDRESS,
            window=SPRAY_WINDOW,
        )


class AddressLimitBackend:
    """An authentication backend that authenticates nobody: it only refuses a blocked address."""

    def authenticate(self, request, **credentials):
        if address_blocked(request):
            raise PermissionDenied("too many failed sign-ins from this address")
        return None


class _SaysWhenTheAddressIsRefused:
    """Says so plainly when the address is refused, instead of "wrong password"."""

    def clean(self):
        if address_blocked(self.request):
            raise ValidationError(
                "Too many failed sign-ins from this connection. Wait an hour and try again, or ask "
                "a clinic admin.",
                code="address_blocked",
            )
        return super().clean()


class StaffAuthenticationForm(_SaysWhenTheAddressIsRefused, AuthenticationForm):
    """The staff sign-in form (/staff/login/)."""


class AdminSignInForm(_SaysWhenTheAddressIsRefused, AdminAuthenticationForm):
    """The admin's sign-in form (/admin/login/), with the same message."""


# A user's own permissions and their groups', as "app_label", "codename" rows. Written out because the ORM
# takes longer to build this query (four joins) than the database takes to answer it, on every staff page.
# The tables are django.contrib.auth's own; tests/test_permissions.py holds the result to ModelBackend's.
_PERMISSIONS_SQL = """
SELECT ct.app_label, p.codename
FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE p.id IN (
    SELECT up.permission_id FROM auth_user_user_permissions up WHERE up.user_id = %s
    UNION
    SELECT gp.permission_id FROM auth_group_permissions gp
    JOIN auth_user_groups ug ON ug.group_id = gp.group_id
    WHERE ug.user_id = %s
)"""


class OneQueryPermissionsBackend(ModelBackend):
    """Django's ModelBackend, but a staff member's permissions (their own and their roles') are read in one
    query rather than two, and an account that manages accounts never has one that reads patient data.
    Every staff page checks one, so this is on every staff request. Superusers, inactive users and
    per-object checks go through ModelBackend unchanged."""

    def get_all_permissions(self, user_obj, obj=None):
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_PERMISSIONS_SQL, [user_obj.pk, user_obj.pk])
                permissions = {f"{app}.{codename}" for app, codename in cursor}
            if permissions & MANAGES_ACCOUNTS:
                # An account that manages accounts reads no patient data, even one given both roles
                # before that rule (screening/staff/accounts.py refuses the combination now).
                permissions -= READS_PATIENT_DATA
            user_obj._perm_cache = permissions
        return user_obj._perm_cache
