"""One emulator per test module, frozen at a fixed day and instant, plus thin GET helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import requests

from emulator import Emulator, serve_emulator

TODAY = date(2025, 7, 11)  # a Friday: the last weekly H.4.1 Wednesday is 2025-07-09
NOW = datetime(2025, 7, 11, 15, 30, tzinfo=UTC)  # 15:30 UTC: the BTC candle of the day is open
DTS_PATH = "/v1/accounting/dts/operating_cash_balance"

Get = Callable[..., requests.Response]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with serve_emulator(today=TODAY, now=NOW) as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def fred(emu: Emulator, http: requests.Session) -> Get:
    def get(**params: object) -> requests.Response:
        params = {"api_key": "test-key", "file_type": "json", **params}
        url = emu.base_urls["fred_base_url"] + "/fred/series/observations"
        return http.get(url, params={k: v for k, v in params.items() if v is not None})

    return get


@pytest.fixture(scope="module")
def dts(emu: Emulator, http: requests.Session) -> Get:
    def get(**params: object) -> requests.Response:
        return http.get(emu.base_urls["treasury_base_url"] + DTS_PATH, params=params)

    return get


@pytest.fixture(scope="module")
def chart(emu: Emulator, http: requests.Session) -> Get:
    def get(symbol: str, **params: object) -> requests.Response:
        url = emu.base_urls["yahoo_base_url"] + "/v8/finance/chart/" + requests.utils.quote(symbol)
        return http.get(url, params={"interval": "1d", **params})

    return get


@pytest.fixture(scope="module")
def klines(emu: Emulator, http: requests.Session) -> Get:
    def get(**params: object) -> requests.Response:
        url = emu.base_urls["binance_base_url"] + "/api/v3/klines"
        return http.get(url, params={"interval": "1d", **params})

    return get


@pytest.fixture(scope="module")
def coinbase(emu: Emulator, http: requests.Session) -> Get:
    def get(product: str, **params: object) -> requests.Response:
        url = f"{emu.base_urls['coinbase_base_url']}/products/{product}/candles"
        return http.get(url, params={"granularity": 86400, **params})

    return get


@pytest.fixture(scope="module")
def kraken(emu: Emulator, http: requests.Session) -> Get:
    def get(**params: object) -> requests.Response:
        url = emu.base_urls["kraken_base_url"] + "/0/public/OHLC"
        return http.get(url, params={"interval": 1440, **params})

    return get


@pytest.fixture(scope="module")
def futures(emu: Emulator, http: requests.Session) -> Get:
    def get(endpoint: str, **params: object) -> requests.Response:
        url = emu.base_urls["binance_futures_base_url"] + "/fapi/v1/" + endpoint
        return http.get(url, params=params)

    return get


@pytest.fixture(scope="module")
def fredgraph(emu: Emulator, http: requests.Session) -> Get:
    def get(**params: object) -> requests.Response:
        return http.get(emu.base_urls["fredgraph_base_url"] + "/graph/fredgraph.csv", params=params)

    return get
