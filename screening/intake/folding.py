"""Text helpers shared by storage and search."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, for searching names: 'Dąbrowski' and 'dabrowski' match."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("ł", "l")
    )
