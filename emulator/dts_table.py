"""The synthetic Daily Treasury Statement table I (operating cash balance) in its three eras.

* up to 2021-09-30: "Federal Reserve Account" holds the TGA in ``close_today_bal``, next to
  "Tax and Loan Note Accounts" and "Total Operating Balance" rows;
* 2021-10-01 .. 2022-04-15: "Treasury General Account (TGA)" (``close_today_bal``) and
  "Total Operating Balance";
* from 2022-04-18: four rows per day (opening balance, deposits, withdrawals, closing balance)
  with ``close_today_bal`` = "null" and the balance in ``open_today_bal``.

Rows exist for federal business days before ``today`` (a DTS is published the next business
day). Every value is a string, as on the wire.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np

from emulator.market import build_market
from emulator.noise import stream

ERA_TGA_NAME = date(2021, 10, 1)  # "Federal Reserve Account" renamed
ERA_FOUR_ROWS = date(2022, 4, 18)  # balance moves to open_today_bal, close_today_bal = "null"
NULL = "null"
OPENING = "Treasury General Account (TGA) Opening Balance"
CLOSING = "Treasury General Account (TGA) Closing Balance"
COLUMNS = {
    # column: (label, dataType, dataFormat)
    "record_date": ("Record Date", "DATE", "YYYY-MM-DD"),
    "account_type": ("Type of Account", "STRING", "String"),
    "close_today_bal": ("Closing Balance Today", "CURRENCY0", "$1,000,000"),
    "open_today_bal": ("Opening Balance Today", "CURRENCY0", "$1,000,000"),
    "open_month_bal": ("Opening Balance This Month", "CURRENCY0", "$1,000,000"),
    "open_fiscal_year_bal": ("Opening Balance This Fiscal Year", "CURRENCY0", "$1,000,000"),
    "table_nbr": ("Table Number", "STRING", "String"),
    "table_nm": ("Table Name", "STRING", "String"),
    "sub_table_name": ("Sub Table Name", "STRING", "String"),
    "src_line_nbr": ("Source Line Number", "INTEGER", "10"),
    "record_fiscal_year": ("Fiscal Year", "YEAR", "YYYY"),
    "record_fiscal_quarter": ("Fiscal Quarter Number", "QUARTER", "Q"),
    "record_calendar_year": ("Calendar Year", "YEAR", "YYYY"),
    "record_calendar_quarter": ("Calendar Quarter Number", "QUARTER", "Q"),
    "record_calendar_month": ("Calendar Month Number", "MONTH", "MM"),
    "record_calendar_day": ("Calendar Day Number", "DAY", "DD"),
}
NUMERIC_COLUMNS = frozenset(
    {"close_today_bal", "open_today_bal", "open_month_bal", "open_fiscal_year_bal", "src_line_nbr"}
)


def _period_start_positions(days: np.ndarray, fiscal: bool) -> np.ndarray:
    """Index of the first calendar day of each day's month (or fiscal year, starting Oct 1)."""
    months = days.astype("datetime64[M]").astype(np.int64)
    key = (months + 3) // 12 if fiscal else months  # Oct..Sep share one fiscal-year key
    first = np.concatenate([[True], key[1:] != key[:-1]])
    return np.maximum.accumulate(np.where(first, np.arange(len(days)), 0))


def _row(
    header: dict[str, str], line: int, account: str, balances: tuple, sub: str = NULL
) -> dict[str, str]:
    """One wire row; a None balance is sent as the string "null", as DTS does."""
    c, o, mo, fy = (NULL if v is None else f"{v:.0f}" for v in balances)
    return {
        "record_date": header["record_date"],
        "account_type": account,
        "close_today_bal": c,
        "open_today_bal": o,
        "open_month_bal": mo,
        "open_fiscal_year_bal": fy,
        "table_nbr": "I",
        "table_nm": "Operating Cash Balance",
        "sub_table_name": sub,
        "src_line_nbr": str(line),
        **{k: v for k, v in header.items() if k != "record_date"},
    }


def _header(day: date) -> dict[str, str]:
    """The date columns of every row of one statement."""
    return {
        "record_date": day.isoformat(),
        "record_fiscal_year": str(day.year + (day.month >= 10)),
        "record_fiscal_quarter": str((day.month + 2) // 3 % 4 + 1),  # Oct-Dec is fiscal Q1
        "record_calendar_year": str(day.year),
        "record_calendar_quarter": str((day.month - 1) // 3 + 1),
        "record_calendar_month": f"{day.month:02d}",
        "record_calendar_day": f"{day.day:02d}",
    }


@lru_cache(maxsize=8)
def dts_rows(seed: int, today: date) -> tuple[dict[str, str], ...]:
    """Every operating-cash-balance row published before ``today``, in record_date/line order.

    Args:
        seed: the market seed.
        today: rows exist for business days strictly before this date.

    Returns:
        Row dicts with every COLUMNS key, all values strings.
    """
    m = build_market(seed)
    n = len(m.days)
    close = m.tga
    prev = np.concatenate([[close[0]], close[:-1]])  # carried: the previous business day's close
    month_open = prev[_period_start_positions(m.days, fiscal=False)]
    fy_open = prev[_period_start_positions(m.days, fiscal=True)]
    # Gross flows through the TGA; their difference is the day's change in the balance.
    rng = stream(seed, "dts/flows")
    gross = np.round(rng.lognormal(np.log(60e3), 0.6, n))
    change = np.where(m.fed_business, close - prev, 0.0)
    deposits = np.where(m.fed_business, gross + np.maximum(change, 0), 0.0)
    withdrawals = np.where(m.fed_business, gross + np.maximum(-change, 0), 0.0)
    to_date = {}
    for name, flow in (("dep", deposits), ("wd", withdrawals)):
        running = np.cumsum(flow)
        for fiscal in (False, True):
            start = _period_start_positions(m.days, fiscal)
            to_date[name, fiscal] = running - np.concatenate([[0.0], running])[start]
    loan_notes = np.round(rng.uniform(0, 2000, n))  # era-1 noise row: small, but not zero

    rows: list[dict[str, str]] = []
    last = min(m.position(today), n)
    for i in np.flatnonzero(m.fed_business[:last]):
        day = m.days[i].astype(object)
        head = _header(day)
        balances = (close[i], prev[i], month_open[i], fy_open[i])
        if day < ERA_TGA_NAME:
            notes = loan_notes[i]
            rows.append(_row(head, 1, "Federal Reserve Account", balances))
            rows.append(_row(head, 2, "Tax and Loan Note Accounts", (notes,) * 4))
            rows.append(
                _row(head, 3, "Total Operating Balance", tuple(b + notes for b in balances))
            )
        elif day < ERA_FOUR_ROWS:
            rows.append(_row(head, 1, "Treasury General Account (TGA)", balances))
            rows.append(_row(head, 2, "Total Operating Balance", balances))
        else:
            sub = "Cash Balance Details"
            dep = (None, deposits[i], to_date["dep", False][i], to_date["dep", True][i])
            wd = (None, withdrawals[i], to_date["wd", False][i], to_date["wd", True][i])
            rows.append(_row(head, 1, OPENING, (None, *balances[1:]), sub))
            rows.append(_row(head, 2, "Total TGA Deposits (Table II)", dep, sub))
            rows.append(_row(head, 3, "Total TGA Withdrawals (Table II) (-)", wd, sub))
            rows.append(_row(head, 4, CLOSING, (None, close[i], close[i], close[i]), sub))
    return tuple(rows)
