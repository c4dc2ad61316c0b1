"""Reference codes and resume codes: random, unguessable, easy to read aloud.

The alphabet leaves out characters that look or sound alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V), so a code read
over the phone or copied from paper comes back right.
"""

import hashlib
import hmac
import math
import re
import secrets

from django.conf import settings

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
RESUME_GROUPS, RESUME_GROUP_LENGTH = 3, 5  # 15 characters, about 68 bits
REFERENCE_LENGTH = 8
RESUME_LENGTH = RESUME_GROUPS * RESUME_GROUP_LENGTH
RESUME_BITS = RESUME_LENGTH * math.log2(len(ALPHABET))


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_reference() -> str:
    """A case reference such as FC-7KQ3-MXP4. It alone opens nothing."""
    code = _random(REFERENCE_LENGTH)
    return f"FC-{code[:4]}-{code[4:]}"


def new_resume_code() -> str:
    """A resume code such as 7KQ3M-XP4AC-9TRWD, shown once on screen to write down."""
    groups = (_random(RESUME_GROUP_LENGTH) for _ in range(RESUME_GROUPS))
    return "-".join(groups)


def normalise_resume_code(typed: str) -> str | None:
    """The code without spaces or dashes, upper case; None if it cannot be a resume code."""
    cleaned = re.sub(r"[\s\-]", "", typed or "").upper()
    if len(cleaned) != RESUME_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def resume_digest(normalised_code: str) -> str:
    """What is stored instead of the code: a keyed hash, so a database copy reveals no usable code."""
    key = f"resume-code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalised_code.encode(), hashlib.sha256).hexdigest()


def new_link_token() -> str:
    """A completion link's token: 256 random bits, URL-safe. Only its digest is stored."""
    return secrets.token_urlsafe(32)


def link_digest(token: str) -> str:
    key = f"completion-link:{settings.SECRET_KEY}".encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
