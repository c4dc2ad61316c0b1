"""Django finds an app's admin pages here; each audience package registers its own."""

from screening.rules import admin as rules_admin  # noqa: F401
from screening.staff import admin as staff_admin  # noqa: F401
