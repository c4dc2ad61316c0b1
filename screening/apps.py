"""The screening app: patient intake, screening rules and the coordinator workspace."""

from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the catalogue loads the instruments' wording and validates a licensed wording file
        # against their structure, so a bad file stops the app at start-up, not on a patient's page.
        from screening.intake import (
            catalogue,  # noqa: F401
            report_services,  # noqa: F401  (a report's file goes with its row)
        )
        from screening.rules import publishing  # noqa: F401  (the rules' kinds of approval request)
        from screening.staff import (
            account_kinds,  # noqa: F401  (the account kinds of approval requests)
            sign_in_audit,  # noqa: F401  (sign-ins and failed sign-ins to the audit log)
        )
