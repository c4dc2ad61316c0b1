"""What every form of the app shares: hints and errors tied to their fields for screen readers, the error
summary of staff pages, and the check that text holds no hidden characters."""

import unicodedata

from django import forms

# Invisible format characters (Unicode category Cf) change how text reads without showing: direction
# marks, overrides and isolates (U+200E/F, U+061C, U+202A-E, U+2066-9), zero-width spaces and joiners
# (U+200B, U+200D, U+2060, U+FEFF), the soft hyphen (U+00AD), tag characters (U+E0000-E007F). All are
# refused but the zero-width non-joiner (U+200C), which Persian and Indic names spell with. So are line
# and paragraph separators (Zl, Zp), and characters that show as nothing though they are not format
# characters: the combining grapheme joiner, the Hangul fillers, variation selectors.
_ALLOWED_FORMAT_CHARACTERS = frozenset("\u200c")
_BLANK_CHARACTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0") | frozenset(
    chr(c) for c in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
)


def has_hidden_characters(text: str, allowed: str = "") -> bool:
    """Control characters (C0, DEL, C1: a terminal escape is one; a tab, which could split a cell of an
    export) or invisible characters, which could make a name read differently on staff pages than it
    was typed, or two names that look the same differ."""
    for c in text:
        category = unicodedata.category(c)
        if category == "Cc" and c not in allowed:
            return True
        if category == "Cf" and c not in _ALLOWED_FORMAT_CHARACTERS:
            return True
        if category in ("Zl", "Zp") or c in _BLANK_CHARACTERS:
            return True
    return False


class DescribedForm(forms.Form):
    """Ties each field's hint and error to it with aria-describedby (on the input, or on its fieldset)."""

    def full_clean(self):
        super().full_clean()
        self.describe()

    def add_error(self, field, error):
        super().add_error(field, error)
        self.describe()

    def describe(self) -> None:
        for name, field in self.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"{name}-hint")
            if self.is_bound and name in self.errors:
                ids.append(f"{name}-error")
            field.describedby = " ".join(ids)
            grouped = isinstance(
                field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.MultiWidget
            )
            if grouped:
                field.widget.attrs.pop("aria-describedby", None)
            elif ids:
                field.widget.attrs["aria-describedby"] = field.describedby
            else:
                field.widget.attrs.pop("aria-describedby", None)


class StaffForm(DescribedForm):
    """A form whose errors are also listed in a summary at the top, each linking to its field."""

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for name, field in self.fields.items():
            grouped = isinstance(field.widget, forms.RadioSelect)
            anchor = f"id_{self.add_prefix(name)}" + ("_0" if grouped else "")
            links += [(anchor, message) for message in self.errors.get(name, [])]
        return links
