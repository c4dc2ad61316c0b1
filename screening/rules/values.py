"""Condition values as a rules admin types them ("80", "yes", "pregnant, breastfeeding", "3 months") and back.

Pure Python; the engine's check_condition then says whether the value fits the fact.
"""

import math
import re
from typing import Any

from screening.rules.terms import STATE_OPERATORS, FactSpec, FactType, Op


def parse_value(text: str, op: Op, spec: FactSpec | None) -> Any:
    """The value for a condition, or ValueError saying what to type."""
    text = (text or "").strip()
    op = Op(op)
    if op in STATE_OPERATORS or op in (Op.IS_YES, Op.IS_NO):
        if text:
            raise ValueError(f"Leave the value empty: '{op.value.replace('_', ' ')}' takes none.")
        return None
    if not text:
        raise ValueError("Enter a value.")
    if op in (Op.ONE_OF, Op.NONE_OF):
        return [part.strip() for part in text.split(",") if part.strip()]
    if op == Op.WITHIN_LAST:
        match = re.fullmatch(r"(\d+)\s*(day|days|month|months)", text.lower())
        if not match:
            raise ValueError("Enter a number of days or months, like '3 months' or '30 days'.")
        unit = "days" if match.group(2).startswith("day") else "months"
        return {"amount": int(match.group(1)), "unit": unit}
    if spec is not None and spec.type == FactType.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise ValueError("Enter a number, like 80 or 40.5.") from None
        if not math.isfinite(number):
            raise ValueError("Enter a number, like 80 or 40.5.")
        return int(number) if number.is_integer() else number
    return text


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value['unit']}"
    return str(value)
