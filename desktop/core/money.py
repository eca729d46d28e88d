"""Money: ``Decimal`` yuan with two places, rounded half up; display with babel, capitals with cn2an."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Exact yuan with two places. Floats are refused: they cannot hold money exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | None) -> str | None:
    """The contract's string form: "35000.00" (or None)."""
    return None if value is None else format(to_money(value), "f")


def format_money(value: Decimal, locale: str = "zh_CN") -> str:
    """``¥150,000.00`` in the user's locale."""
    from babel.numbers import format_currency

    return format_currency(to_money(value), "CNY", locale=locale, format="¤#,##0.00",
                           currency_digits=False)


def money_in_capitals(value: Decimal) -> str:
    """人民币壹拾伍万元整 — the amount written out for a notice (cn2an ``rmb`` mode)."""
    import cn2an

    amount = to_money(value)
    if amount < 0:
        raise ValueError("a negative amount cannot be written in capitals on a notice")
    if amount == 0:
        return "人民币零元整"
    text: str = cn2an.an2cn(format(amount, "f"), "rmb")  # cn2an ships no type information
    return "人民币" + text


def yuan_short(value: Decimal) -> str:
    """A compact figure for explanations: 50,000 or 35,000.50 (no currency sign)."""
    amount = to_money(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"
