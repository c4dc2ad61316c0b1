"""The structure of the Oswestry Disability Index and the STarT Back tool, and where their wording comes from.

The validated wording of both instruments is copyrighted, so the repository holds only their structure and
short in-house demo wording, labelled as such. A clinic with a licence points INSTRUMENT_WORDING_FILE at a
JSON file with the licensed wording; it is checked against the structure when the app starts, and the app
refuses to start with a file that does not fit. The wording of one language has this shape:

    {"odi": {"<section key>": {"title": "...", "statements": ["...", x6]}, ...x10},
     "startback": {"<item key>": {"text": "...", "choices": ["...", ...]}, ...x9}}

A file of that shape is English. A file for several languages holds one such wording per language code:
{"en": {...}, "es": {...}}. It must hold English (staff read the questions in English) and every language
patients may choose (PATIENT_LANGUAGES): a licensed instrument is never shown beside demo wording, nor in a
language the patient did not choose.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEMO_NOTICE = _("Demo wording, not the validated instrument.")

ODI_SECTIONS = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex_life",
    "social_life",
    "travelling",
)
ODI_STATEMENTS = 6  # scored 0 to 5

# STarT Back: items 1-8 agree/disagree (disagree 0, agree 1); item 9 is a five-point bothersomeness
# scale where "very much" and "extremely" score 1. Items 5-9 form the psychosocial subscale.
STARTBACK_ITEMS = tuple(f"item_{n}" for n in range(1, 10))
STARTBACK_AGREE_CHOICES = 2
STARTBACK_BOTHER_CHOICES = 5


@dataclass(frozen=True)
class Wording:
    odi: dict[str, dict]
    startback: dict[str, dict]
    licensed: bool


def _demo_odi() -> dict[str, dict]:
    levels = [
        _("No difficulty"),
        _("Slight difficulty"),
        _("Moderate difficulty"),
        _("Much difficulty"),
        _("Severe difficulty"),
        _("Cannot do this at all"),
    ]
    titles = {
        "pain_intensity": _("Pain right now"),
        "personal_care": _("Looking after yourself (washing, dressing)"),
        "lifting": _("Lifting things"),
        "walking": _("Walking"),
        "sitting": _("Sitting"),
        "standing": _("Standing"),
        "sleeping": _("Sleeping"),
        "sex_life": _("Sex life"),
        "social_life": _("Social life"),
        "travelling": _("Travelling"),
    }
    pain_levels = [
        _("No pain"),
        _("Very mild pain"),
        _("Moderate pain"),
        _("Fairly severe pain"),
        _("Very severe pain"),
        _("Worst imaginable pain"),
    ]
    return {
        key: {
            "title": titles[key],
            "statements": pain_levels if key == "pain_intensity" else levels,
        }
        for key in ODI_SECTIONS
    }


def _demo_startback() -> dict[str, dict]:
    agree = [_("Disagree"), _("Agree")]
    texts = [
        _("In the last 2 weeks my back pain has spread down my legs"),
        _("In the last 2 weeks I have had pain in my shoulder or neck"),
        _("In the last 2 weeks I have only walked short distances because of my pain"),
        _("In the last 2 weeks I have dressed more slowly than usual because of my pain"),
        _("It is not really safe for someone like me to be physically active"),
        _("Worrying thoughts have been going through my mind a lot"),
        _("I feel that my back pain is terrible and will never get better"),
        _("In general I have not enjoyed the things I usually enjoy"),
        _("Overall, how much has your back pain bothered you in the last 2 weeks?"),
    ]
    bother = [_("Not at all"), _("Slightly"), _("Moderately"), _("Very much"), _("Extremely")]
    return {
        key: {"text": text, "choices": bother if key == "item_9" else agree}
        for key, text in zip(STARTBACK_ITEMS, texts, strict=True)
    }


class WordingFileError(ValueError):
    """The licensed wording file does not fit the instruments' structure."""


def validate_wording(data: object) -> None:
    """Raise WordingFileError naming the first place where ``data`` does not fit the structure."""
    if not isinstance(data, dict) or set(data) != {"odi", "startback"}:
        raise WordingFileError('The file must hold exactly two keys: "odi" and "startback".')
    odi, startback = data["odi"], data["startback"]
    if not isinstance(odi, dict) or set(odi) != set(ODI_SECTIONS):
        raise WordingFileError(f"odi must have exactly the sections {', '.join(ODI_SECTIONS)}.")
    for key, section in odi.items():
        if not isinstance(section, dict):
            raise WordingFileError(f"odi.{key} must be an object with a title and statements.")
        statements = section.get("statements")
        if not isinstance(section.get("title"), str) or not section["title"].strip():
            raise WordingFileError(f"odi.{key} needs a non-empty title.")
        if (
            not isinstance(statements, list)
            or len(statements) != ODI_STATEMENTS
            or not all(isinstance(s, str) and s.strip() for s in statements)
        ):
            raise WordingFileError(f"odi.{key} needs exactly {ODI_STATEMENTS} statements.")
    if not isinstance(startback, dict) or set(startback) != set(STARTBACK_ITEMS):
        raise WordingFileError(
            f"startback must have exactly the items {', '.join(STARTBACK_ITEMS)}."
        )
    for key, item in startback.items():
        wanted = STARTBACK_BOTHER_CHOICES if key == "item_9" else STARTBACK_AGREE_CHOICES
        if not isinstance(item, dict):
            raise WordingFileError(f"startback.{key} must be an object with a text and choices.")
        choices = item.get("choices")
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            raise WordingFileError(f"startback.{key} needs a non-empty text.")
        if (
            not isinstance(choices, list)
            or len(choices) != wanted
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            raise WordingFileError(f"startback.{key} needs exactly {wanted} choices.")


def load_wording(path: str, languages: Iterable[str] = ("en",)) -> Wording:
    """The demo wording when ``path`` is empty, else the licensed wording in that file (validated), each
    text in the language of the page that shows it."""
    if not path:
        return Wording(odi=_demo_odi(), startback=_demo_startback(), licensed=False)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WordingFileError(f"Cannot read the instrument wording file {path}: {exc}") from None
    by_language = {"en": data} if isinstance(data, dict) and "odi" in data else data
    if not isinstance(by_language, dict):
        raise WordingFileError(
            'The file must hold "odi" and "startback", or one such per language.'
        )
    missing = [code for code in dict.fromkeys(("en", *languages)) if code not in by_language]
    if missing:
        raise WordingFileError(
            f"The file has no wording in {', '.join(missing)}: it needs English (staff read the "
            "questions in English) and every language in PATIENT_LANGUAGES."
        )
    for code, wording in by_language.items():
        try:
            validate_wording(wording)
        except WordingFileError as exc:
            raise WordingFileError(f"{code}: {exc}" if data is by_language else str(exc)) from None
    return Wording(
        odi={
            key: {
                "title": _texts(by_language, "odi", key, "title"),
                "statements": [
                    _texts(by_language, "odi", key, "statements", n) for n in range(ODI_STATEMENTS)
                ],
            }
            for key in ODI_SECTIONS
        },
        startback={
            key: {
                "text": _texts(by_language, "startback", key, "text"),
                "choices": [
                    _texts(by_language, "startback", key, "choices", n)
                    for n in range(len(by_language["en"]["startback"][key]["choices"]))
                ],
            }
            for key in STARTBACK_ITEMS
        },
        licensed=True,
    )


def _in_language(texts: dict[str, str]) -> str:
    """The text in the active language (English where none is active, as in a management command)."""
    return texts.get(get_language() or "en", texts["en"])


_in_language_lazy = lazy(_in_language, str)


def _texts(by_language: dict, *where: str | int):
    """One text of the instrument as a lazy string: read out in the language of the page showing it."""
    texts = {}
    for code, wording in by_language.items():
        for step in where:
            wording = wording[step]
        texts[code] = wording
    return _in_language_lazy(texts)
