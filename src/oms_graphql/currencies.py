"""Currency codes (ISO 4217, active) and how many decimals each one's minor unit has."""

from __future__ import annotations

from decimal import Decimal

from oms_graphql import values
from oms_graphql.errors import Problem

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_TWO_DECIMALS = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT
    LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN
    NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
    SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES
    WST XCD YER ZAR ZMW ZWL
"""

MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_ZERO_DECIMALS.split(), 0),
    **dict.fromkeys(_TWO_DECIMALS.split(), 2),
    **dict.fromkeys(_THREE_DECIMALS.split(), 3),
}
CURRENCY_CODES: tuple[str, ...] = tuple(sorted(MINOR_UNITS))


def amount_problem(
    amount: Decimal,
    currency_code: str,
    path: tuple[str, ...],
    *,
    code: str,
    positive: bool = False,
) -> Problem | None:
    """Why ``amount`` is not a valid amount of ``currency_code`` (None when it is): it must
    be finite, zero or more (more than zero when ``positive``), within range, and have no
    more decimals than the currency's minor unit."""
    try:
        value = values.amount(str(amount))
    except ValueError:
        return Problem(code, f"{amount} is not a valid amount", path)
    if value < 0 or (positive and value == 0):
        return Problem(code, "must be more than zero" if positive else "can't be negative", path)
    decimals = MINOR_UNITS[currency_code]
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        return Problem(code, f"{currency_code} amounts have at most {decimals} decimals", path)
    return None
