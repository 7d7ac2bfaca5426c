"""The archive's coin universe as data: every pair, its listing period, category and behaviour.

A pair is keyed by symbol AND listing date: Binance reuses symbols (the LUNA of 2020-2022 was
delisted on 2022-05-13 and a new LUNA listed under the same LUNAUSDT on 2022-05-31). Pairs of
the live market's coins (``crypto.COINS``) are served from that market's series unchanged; every
other asset draws from its own ``archive/<name>`` random stream. Listing dates follow Binance's
history where known; those marked "approx." are plausible, not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from emulator.crypto import COINS

# Why each category other than "alt" has no place in an alt basket.
EXCLUDED_CATEGORIES: dict[str, str] = {
    "core": "BTC and ETH are the legs before the alts, not alts",
    "stablecoin": "pegged to the US dollar: no price of its own",
    "fiat": "a national currency against USDT, not a coin",
    "leveraged": "a leveraged token: a derivative of BTC that decays with volatility",
    "wrapped": "wrapped or pegged to another asset (BTC, gold)",
}


@dataclass(frozen=True)
class Asset:
    """How one asset's USD price and volume behave over one life (one stream per name).

    Behaviours: "market" (the live market's series of ``symbol``), "alt" (lags ETH like the
    alts of crypto.py), "peg" (mean-reverts around ``anchor`` USD), "fiat" and "gold" (follow a
    dated anchor path), "wrapped" (tracks BTC), "leveraged" (``leverage`` x BTC's daily return).
    """

    name: str  # stream name, unique per life: "LUNA" and "LUNA2" are two assets
    behaviour: str
    start: date  # first day of its price path
    start_price: float = 1.0  # USD on ``start`` ("alt")
    vol: float = 0.045  # daily idiosyncratic noise sd
    beta: float = 1.5  # response to ETH's shocks ("alt")
    fade: date | None = None  # first day of the fade: price falls and volume dries up
    crash: float = 0.0  # total log price move over the fade (e.g. -11.5: 1e-5 of the price)
    leverage: float = 0.0  # "leveraged": multiple of BTC's daily simple return
    anchor: float = 1.0  # "peg": the pegged USD price


@dataclass(frozen=True)
class Pair:
    """One listing period of one symbol on Binance spot."""

    symbol: str  # e.g. "LUNAUSDT"
    asset: str  # an :class:`Asset` name
    quote: str  # "USDT" or "BTC"
    listed: date  # first 1d candle
    delisted: date | None  # last 1d candle (trading stops that day); None: still listed
    category: str  # "alt" or a key of EXCLUDED_CATEGORIES
    quote_volume: float  # typical daily quote volume at listing, in the quote asset
    tick: float  # price tick, in the quote asset

    @property
    def key(self) -> tuple[str, date]:
        """How a coin is told apart: symbol and listing date."""
        return (self.symbol, self.listed)


def _market(symbol: str) -> Asset:
    return Asset(symbol.removesuffix("USDT"), "market", COINS[symbol].start)


ASSETS: tuple[Asset, ...] = (
    *(_market(symbol) for symbol in COINS),
    Asset("LTC", "alt", date(2017, 7, 1), 40.0),
    Asset("EOS", "alt", date(2017, 7, 1), 1.5),
    Asset("BCC", "alt", date(2017, 8, 1), 400.0, fade=date(2018, 8, 1), crash=-1.2),
    Asset("BCHSV", "alt", date(2018, 11, 20), 90.0, fade=date(2019, 2, 15), crash=-0.7),
    Asset("FTT", "alt", date(2019, 10, 1), 2.0, fade=date(2022, 9, 15), crash=-3.0),
    Asset("LUNA", "alt", date(2020, 8, 21), 0.3, vol=0.05, fade=date(2022, 5, 7), crash=-11.5),
    Asset("LUNA2", "alt", date(2022, 5, 31), 5.0, vol=0.05),
    Asset("USDC", "peg", date(2018, 12, 15), vol=0.0004),
    Asset("BUSD", "peg", date(2019, 9, 19), vol=0.0004),
    Asset("TUSD", "peg", date(2019, 3, 6), vol=0.0006),
    Asset("FDUSD", "peg", date(2023, 7, 26), vol=0.0004),
    Asset("EUR", "fiat", date(2020, 1, 3), vol=0.004),
    Asset("GBP", "fiat", date(2020, 7, 10), vol=0.005),
    Asset("PAXG", "gold", date(2020, 9, 4), vol=0.008),
    Asset("WBTC", "wrapped", date(2024, 2, 1), vol=0.0008),
    Asset("BTCUP", "leveraged", date(2020, 5, 14), 10.0, leverage=3.0),
    Asset("BTCDOWN", "leveraged", date(2020, 5, 14), 10.0, leverage=-3.0),
)

# fmt: off
_LIVE = tuple(
    Pair(symbol, symbol.removesuffix("USDT"), "USDT", spec.listing, None,
         "core" if symbol in ("BTCUSDT", "ETHUSDT") else "alt", spec.quote_volume, spec.tick)
    for symbol, spec in COINS.items()
)
PAIRS: tuple[Pair, ...] = (
    *_LIVE,
    # alts alive today, quoted in BTC first: most early alt volume was in BTC pairs
    Pair("LTCBTC", "LTC", "BTC", date(2017, 7, 14), None, "alt", 900.0, 1e-6),
    Pair("LTCUSDT", "LTC", "USDT", date(2017, 12, 13), None, "alt", 2e6, 0.01),
    Pair("EOSBTC", "EOS", "BTC", date(2017, 7, 1), None, "alt", 700.0, 1e-8),
    Pair("EOSUSDT", "EOS", "USDT", date(2018, 5, 28), None, "alt", 1.5e6, 1e-4),
    Pair("XRPBTC", "XRP", "BTC", date(2018, 5, 4), None, "alt", 400.0, 1e-8),
    # alts that list, fade and delist
    Pair("BCCBTC", "BCC", "BTC", date(2017, 8, 1), date(2018, 11, 16), "alt", 1200.0, 1e-6),
    Pair("BCCUSDT", "BCC", "USDT", date(2017, 11, 13), date(2018, 11, 16), "alt", 3e6, 0.01),
    Pair("BCHSVUSDT", "BCHSV", "USDT", date(2018, 11, 20), date(2019, 4, 22), "alt", 2e6, 0.01),
    # approx. listing date
    Pair("FTTUSDT", "FTT", "USDT", date(2019, 10, 14), date(2022, 11, 15), "alt", 4e6, 1e-4),
    Pair("LUNAUSDT", "LUNA", "USDT", date(2020, 8, 21), date(2022, 5, 13), "alt", 2e6, 1e-8),
    Pair("LUNAUSDT", "LUNA2", "USDT", date(2022, 5, 31), None, "alt", 2e6, 1e-4),  # symbol reuse
    # pairs an alt universe must exclude
    Pair("USDCUSDT", "USDC", "USDT", date(2018, 12, 15), None, "stablecoin", 5e7, 1e-4),
    Pair("BUSDUSDT", "BUSD", "USDT", date(2019, 9, 19), date(2023, 12, 15), "stablecoin", 8e7,
         1e-4),
    Pair("TUSDUSDT", "TUSD", "USDT", date(2019, 3, 6), None, "stablecoin", 2e7, 1e-4),  # approx.
    Pair("FDUSDUSDT", "FDUSD", "USDT", date(2023, 7, 26), None, "stablecoin", 1e8, 1e-4),
    Pair("EURUSDT", "EUR", "USDT", date(2020, 1, 3), None, "fiat", 1e7, 1e-4),
    Pair("GBPUSDT", "GBP", "USDT", date(2020, 7, 10), None, "fiat", 3e6, 1e-4),  # approx.
    Pair("PAXGUSDT", "PAXG", "USDT", date(2020, 9, 4), None, "wrapped", 5e6, 0.01),  # approx.
    Pair("WBTCUSDT", "WBTC", "USDT", date(2024, 2, 1), None, "wrapped", 1e7, 0.01),  # approx.
    # approx. delisting dates (Binance retired its leveraged tokens in 2024)
    Pair("BTCUPUSDT", "BTCUP", "USDT", date(2020, 5, 14), date(2024, 4, 2), "leveraged", 2e7,
         1e-4),
    Pair("BTCDOWNUSDT", "BTCDOWN", "USDT", date(2020, 5, 14), date(2024, 4, 2), "leveraged", 1e7,
         1e-6),
)
# fmt: on
ASSETS_BY_NAME: dict[str, Asset] = {asset.name: asset for asset in ASSETS}


def pairs_of(symbol: str) -> tuple[Pair, ...]:
    """Every listing period of one symbol, oldest first.

    Args:
        symbol: a Binance symbol, e.g. ``"LUNAUSDT"``.

    Returns:
        Its pairs (empty for a symbol the archive never had).
    """
    return tuple(sorted((p for p in PAIRS if p.symbol == symbol), key=lambda p: p.listed))


def archive_symbols() -> tuple[str, ...]:
    """Every symbol the archive holds, in S3 listing (byte) order.

    Returns:
        Distinct symbols, sorted.
    """
    return tuple(sorted({p.symbol for p in PAIRS}))
