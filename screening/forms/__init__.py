"""Patient forms: intake pages built from the catalogue (intake.py), resuming a saved form (resume.py)."""

from screening.forms.intake import MAX_LONG_TEXT, MAX_PHONE, MAX_TEXT, PageForm
from screening.forms.resume import ResumeForm

__all__ = ["MAX_LONG_TEXT", "MAX_PHONE", "MAX_TEXT", "PageForm", "ResumeForm"]
