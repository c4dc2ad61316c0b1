"""Second-factor devices (django-otp) that the app hands out: backup codes, and one-time codes.

A one-time code stands in for the second factor at one sign-in: a clinic admin gives a "Setup code" to a
new account or after a reset (so that a password alone never enrols an app), and the operator's
emergency command gives an "Emergency code". Each is a static device with one token, replaced when a new
one is issued and used up at sign-in.
"""

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

BACKUP_CODES = 10
SETUP_CODE, EMERGENCY_CODE, BACKUP = "Setup code", "Emergency code", "Backup codes"


def issue_code(user, name: str) -> str:
    StaticDevice.objects.filter(user=user, name=name).delete()
    device = StaticDevice.objects.create(user=user, name=name, confirmed=True)
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code


def new_backup_codes(user, count: int = BACKUP_CODES) -> list[str]:
    StaticDevice.objects.filter(user=user, name=BACKUP).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
