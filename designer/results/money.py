"""Prices in the demand's currency.

Catalogs, the optimizer and every ``_usd`` figure stay in US dollars. A demand's ``currency``
(``{code, per_usd}``: units of it one dollar buys) only changes how the bill and the reports
show prices, the way a quote does it: each unit price is converted and rounded to the cent,
``unit = round(unit_usd x per_usd, 2)``, then extended, ``extended = quantity x unit``, and
the bill's total is the sum of its extended prices. Other amounts in a report (a fabric's
cost, a cost per GPU) are converted whole, ``usd x per_usd``, and shown to the unit when they
are 1,000 or more, so they agree with the bill as far as they are shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from designer.inputs.schema import Currency

SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3"}  # the rest are written by code
NAMES = {"USD": "US dollars", "EUR": "euros", "GBP": "pounds sterling"}


@dataclass(frozen=True)
class Money:
    """A currency and its rate to the US dollar."""

    code: str = "USD"
    per_usd: float = 1.0
    source: str | None = None
    as_of: str | None = None

    @classmethod
    def of(cls, currency: Currency) -> Money:
        return cls(currency.code, currency.per_usd, currency.source, currency.as_of)

    @property
    def is_usd(self) -> bool:
        return self.code == "USD"

    @property
    def prefix(self) -> str:
        """What an amount is written after: ``$``, ``€``, or ``CHF `` for a code."""
        return SYMBOLS.get(self.code, f"{self.code} ")

    def unit(self, usd: float) -> float:
        """A unit price in this currency, to the cent (a dollar price as it is).

        >>> Money("EUR", 0.9234).unit(95.0), Money().unit(12.345)
        (87.72, 12.345)
        """
        return usd if self.is_usd else round(usd * self.per_usd, 2)

    def text(self, usd: float | None) -> str:
        """A dollar amount converted and written: cents only when not whole, and for another
        currency none from 1,000 up (``€1,137,800``, ``CHF 87.72``).

        >>> Money().text(1234.5), Money("EUR", 0.92).text(1236672.4), Money("CHF", 0.9).text(10)
        ('$1,234.50', '\u20ac1,137,739', 'CHF 9')
        """
        return "n/a" if usd is None else self.amount(round(float(usd) * self.per_usd, 2))

    def amount(self, value: float | None) -> str:
        """An amount already in this currency written as :meth:`text` writes one (a report's
        figure summed from the bill).

        >>> Money("EUR", 0.92).amount(3693489.76), Money().amount(3693489.76)
        ('\u20ac3,693,490', '$3,693,489.76')
        """
        if value is None:
            return "n/a"
        value = round(float(value), 2)
        if not self.is_usd and abs(value) >= 1000:
            value = round(value)
        return _written(value, self.prefix)

    def priced(self, amount: float | None) -> str:
        """An amount already in this currency (a bill's unit or extended price), written to the
        cent when not whole.

        >>> Money("EUR", 0.92).priced(87.4), Money("EUR", 0.92).priced(33120)
        ('\u20ac87.40', '\u20ac33,120')
        """
        if amount is None:
            return "n/a"
        return _written(round(float(amount), 2), self.prefix)

    @property
    def stated(self) -> str:
        """The sentence every report opens its prices with."""
        if self.is_usd:
            return "Prices in US dollars."
        name = NAMES.get(self.code, self.code)
        where = ", ".join(x for x in (self.source, self.as_of) if x)
        return (f"Prices in {name} ({self.code}) at {self.per_usd:g} to the US dollar"
                f"{f' ({where})' if where else ''}: each unit price converted and rounded to "
                "the cent; the catalogs and the optimizer work in US dollars.")

    @property
    def number_format(self) -> str:
        """A spreadsheet number format for amounts: ``"€"#,##0.00``."""
        return f'"{self.prefix}"#,##0.00'

    def to_dict(self) -> dict:
        return {"code": self.code, "per_usd": self.per_usd, "source": self.source,
                "as_of": self.as_of}


def _written(amount: float, prefix: str) -> str:
    """``-€1,234`` or ``€1,234.50``: cents only when not whole."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == math.floor(amount):
        return f"{sign}{prefix}{int(amount):,}"
    return f"{sign}{prefix}{amount:,.2f}"


DOLLARS = Money()  # the default: US dollars
