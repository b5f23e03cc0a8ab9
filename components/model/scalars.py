"""The scalar types of the stack file, taken as written: `true`/`false`, whole numbers, dates as YYYY-MM-DD.

pydantic's default (lax) mode would read "yes", "off" and 1 as booleans, true and "30" as numbers, and a number of
seconds or "2026-12-31T10:00" as a date: a stack file that says one thing and means another. The stack file is YAML
read as the Pulumi CLI reads it (unquoted dates stay text), so each of these accepts only its one written form, and
the message names it (components/model/errors.py words the rest).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict

DATE_FORM = "a date written YYYY-MM-DD (e.g. 2026-12-31)"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(f"must be {DATE_FORM}, without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"is not a day of the calendar; must be {DATE_FORM}") from None
    raise ValueError(f"must be {DATE_FORM}")


Bool = Annotated[bool, Strict()]
"""true or false (unquoted); not "true", yes, 1."""
Int = Annotated[int, Strict()]
"""A whole number (unquoted); not "30", 30.0, true."""
Date = Annotated[dt.date, BeforeValidator(_date)]
"""A calendar date, YYYY-MM-DD; not a timestamp, a number or another order."""
