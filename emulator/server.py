"""The loopback HTTP server that answers every emulated upstream offline.

One ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) runs in a daemon thread. Each upstream
lives under its own prefix, so a client's base URL is the only thing that changes:

    /fred/fred/series/observations
    /fredgraph/graph/fredgraph.csv
    /treasury/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance
    /yahoo/v8/finance/chart/{symbol}
    /binance/api/v3/klines
    /binance-futures/fapi/v1/{fundingRate, markPriceKlines, indexPriceKlines}
    /coinbase/products/{product_id}/candles
    /kraken/0/public/OHLC
    /binance-vision/data/spot/{monthly,daily}/klines/{SYMBOL}/1d/{file}   (archive downloads)
    /binance-vision-s3?prefix=&delimiter=&marker=&max-keys=              (archive bucket listing)
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from emulator import (
    archive_api,
    binance_api,
    binance_futures_api,
    coinbase_api,
    fred_api,
    fredgraph_api,
    kraken_api,
    treasury_api,
    yahoo_api,
)
from emulator.bad_data import checked_kinds
from emulator.faults import FaultPlan, FaultSwitches
from emulator.market import DEFAULT_SEED, Market, market_for
from emulator.payload_faults import shifted_query, spoiled
from emulator.reply import Reply, Snapshot, make_snapshot

FRED_PREFIX = "/fred"
FREDGRAPH_PREFIX = "/fredgraph"
TREASURY_PREFIX = "/treasury/services/api/fiscal_service"
YAHOO_PREFIX = "/yahoo"
BINANCE_PREFIX = "/binance"
BINANCE_FUTURES_PREFIX = "/binance-futures"
COINBASE_PREFIX = "/coinbase"
KRAKEN_PREFIX = "/kraken"
ARCHIVE_PREFIX = "/binance-vision"  # data.binance.vision
ARCHIVE_LISTING_PREFIX = "/binance-vision-s3"  # the S3 bucket behind it, for listings
EMULATOR_API_KEY = "emulator-key"
FREDGRAPH_HEADERS = frozenset(fredgraph_api.HEADERS)

Route = Callable[[Snapshot, dict[str, str]], Reply]
ROUTES: dict[str, Route] = {
    FRED_PREFIX + fred_api.PATH: fred_api.observations,
    FREDGRAPH_PREFIX + fredgraph_api.PATH: fredgraph_api.fredgraph_csv,
    TREASURY_PREFIX + treasury_api.PATH: treasury_api.operating_cash_balance,
    BINANCE_PREFIX + binance_api.PATH: binance_api.klines,
    BINANCE_FUTURES_PREFIX + binance_futures_api.FUNDING_PATH: binance_futures_api.funding_rate,
    BINANCE_FUTURES_PREFIX + binance_futures_api.MARK_PATH: binance_futures_api.mark_klines,
    BINANCE_FUTURES_PREFIX + binance_futures_api.INDEX_PATH: binance_futures_api.index_klines,
    KRAKEN_PREFIX + kraken_api.PATH: kraken_api.ohlc,
}
# Routes with a path parameter: prefix -> handler(snapshot, rest of the path, query).
PREFIX_ROUTES: dict[str, Callable[[Snapshot, str, dict[str, str]], Reply]] = {
    YAHOO_PREFIX + yahoo_api.PATH: yahoo_api.chart,
    COINBASE_PREFIX + coinbase_api.PATH: coinbase_api.candles,
    ARCHIVE_PREFIX + "/": archive_api.download,
}


class Emulator(FaultSwitches):
    """A running emulator: where it listens, what it serves, what it was asked, and the
    fault switches of :class:`~emulator.faults.FaultSwitches`."""

    def __init__(
        self, snapshot: Snapshot, port: int, archive_max_keys: int = archive_api.DEFAULT_MAX_KEYS
    ) -> None:
        self.snapshot = snapshot
        root = f"http://127.0.0.1:{port}"
        self.base_urls = {
            "fred_base_url": root + FRED_PREFIX,
            "treasury_base_url": root + TREASURY_PREFIX,
            "yahoo_base_url": root + YAHOO_PREFIX,
            "binance_base_url": root + BINANCE_PREFIX,
            "coinbase_base_url": root + COINBASE_PREFIX,
            "kraken_base_url": root + KRAKEN_PREFIX,
            "binance_futures_base_url": root + BINANCE_FUTURES_PREFIX,
            "fredgraph_base_url": root + FREDGRAPH_PREFIX,
            "binance_archive_listing_url": root + ARCHIVE_LISTING_PREFIX,
            "binance_archive_base_url": root + ARCHIVE_PREFIX,
        }
        self._archive_listing = archive_api.listing_route(archive_max_keys)
        self.faults = FaultPlan()
        self._log: list[tuple[str, str, dict[str, str]]] = []
        self._log_lock = threading.Lock()
        self._switch_lock = threading.Lock()  # serialises snapshot replacements

    @property
    def market(self) -> Market:
        """The synthetic market being served (full horizon; routes cut it at ``today``)."""
        return self.snapshot.market

    @property
    def request_log(self) -> list[tuple[str, str, dict[str, str]]]:
        """A copy of every request seen so far: (method, decoded path, query dict)."""
        with self._log_lock:
            return list(self._log)

    @property
    def data_origin(self) -> str:
        """The served market's label, e.g. "synthetic (null market, seed 7)" (``Market.label``)."""
        return self.snapshot.market.label

    def settings_overrides(self) -> dict[str, str]:
        """Settings values that point the pipeline at this emulator.

        Returns:
            Every base URL plus the emulator's FRED key and its :attr:`data_origin`
            ("synthetic", or "synthetic (null market, seed 7)" for another market).
        """
        return {**self.base_urls, "fred_api_key": EMULATOR_API_KEY, "data_origin": self.data_origin}

    def set_clock(self, today: date, now: datetime | None = None) -> None:
        """Move the emulated calendar: later answers are as of ``today`` (and ``now``).

        Lets a test run the pipeline on one day and again on a later one: new days appear,
        FRED revisions and late DTS days become visible, an open candle closes.

        Args:
            today: the new last day of history.
            now: the new instant (default as in :func:`serve_emulator`).
        """
        clock = make_snapshot(self.snapshot.market, today, now)
        with self._switch_lock:
            self.snapshot = replace(self.snapshot, today=clock.today, now=clock.now)

    @property
    def bad_data(self) -> frozenset[str]:
        """The deliberately bad data kinds now switched on (see ``bad_data.BAD_DATA_KINDS``)."""
        return self.snapshot.bad_data

    def inject(self, kind: str) -> None:
        """Switch one kind of deliberately bad data on, for every later request.

        Args:
            kind: a key of ``bad_data.BAD_DATA_KINDS``.

        Raises:
            ValueError: for an unknown kind.
        """
        checked = checked_kinds([kind])
        with self._switch_lock:
            self.snapshot = replace(self.snapshot, bad_data=self.snapshot.bad_data | checked)

    def clear_bad_data(self) -> None:
        """Switch every kind of bad data off: later answers are clean again."""
        with self._switch_lock:
            self.snapshot = replace(self.snapshot, bad_data=frozenset())

    @property
    def fredgraph_header(self) -> str:
        """First header cell of fredgraph CSVs: ``"observation_date"`` (now) or ``"DATE"``."""
        return self.snapshot.fredgraph_header

    @fredgraph_header.setter
    def fredgraph_header(self, value: str) -> None:
        if value not in FREDGRAPH_HEADERS:
            raise ValueError(f"fredgraph_header must be one of {sorted(FREDGRAPH_HEADERS)}")
        with self._switch_lock:
            self.snapshot = replace(self.snapshot, fredgraph_header=value)

    def answer(self, method: str, raw_path: str) -> Reply | None:
        """Route one request (after logging it and applying planned faults).

        Args:
            method: the HTTP method.
            raw_path: the request target as sent (path and query string).

        Returns:
            The reply to send, or None to hang up without one (a planned reset).
        """
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._log_lock:
            self._log.append((method, path, query))
        snapshot = self.snapshot  # one consistent view for the whole request
        fault = self.faults.take(path, query)
        if fault is None:
            return self._route(snapshot, method, path, query)
        if fault.action == "status":
            return fault.reply(snapshot.now_ms)
        if fault.action == "reset":
            return None
        if fault.action == "stall":
            time.sleep(fault.delay_s)
            return self._route(snapshot, method, path, query)
        reply = self._route(snapshot, method, path, shifted_query(fault.payload, query))
        return spoiled(fault.payload, reply)

    def _route(self, snapshot: Snapshot, method: str, path: str, query: dict[str, str]) -> Reply:
        if method != "GET":
            return Reply(405, {"error": f"method {method} not allowed"})
        if path.rstrip("/") == ARCHIVE_LISTING_PREFIX:
            return self._archive_listing(snapshot, query)
        for prefix, handler in PREFIX_ROUTES.items():
            if path.startswith(prefix):
                return handler(snapshot, path[len(prefix) :], query)
        route = ROUTES.get(path.rstrip("/"))
        if route is None:
            return Reply(404, {"error": f"no emulated endpoint at {path}"})
        return route(snapshot, query)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up early is not an emulator failure; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so pooled sessions reuse connections
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms ACK stall
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # no request lines on stderr

    def _send(self, method: str) -> None:
        try:
            reply = self.server.emulator.answer(method, self.path)
        except Exception as exc:  # a bug in a route must not hang the client
            reply = Reply(500, {"error": "emulator failure", "detail": repr(exc)})
        if reply is None:
            self._hang_up()
            return
        if isinstance(reply.body, bytes):
            payload = reply.body  # a zip file
        elif isinstance(reply.body, str):
            payload = reply.body.encode()
        else:
            payload = json.dumps(reply.body, separators=(",", ":")).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _hang_up(self) -> None:
        # SO_LINGER with a zero timeout makes close() send a TCP RST: the client sees
        # "connection reset by peer" with no status line, as when a load balancer drops it.
        # Closed here, before the server's own orderly shutdown (a FIN) could run.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self) -> None:
        self._send("GET")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))  # keep the connection clean
        self._send("POST")


@contextmanager
def serve_emulator(
    today: date | None = None,
    now: datetime | None = None,
    seed: int = DEFAULT_SEED,
    port: int = 0,
    bad_data: Iterable[str] = (),
    market: str = "default",
    effect: float = 1.0,
    archive_max_keys: int = archive_api.DEFAULT_MAX_KEYS,
) -> Iterator[Emulator]:
    """Run the emulator for the duration of a ``with`` block.

    Args:
        today: last day of history (default: today, UTC).
        now: the emulated current instant, which decides the unfinished Binance candle
            (default: the current UTC time, or noon UTC of ``today`` when that is another day).
        seed: market seed; the same seed and ``today`` always serve the same data.
        port: loopback port to listen on (0: any free port).
        bad_data: kinds of deliberately bad data to serve from the start (keys of
            ``bad_data.BAD_DATA_KINDS``); ``Emulator.inject`` adds more later.
        market: the market kind: "default" (links planted), "null" (no links) or "planted"
            (the null market's noise plus links scaled by ``effect``).
        effect: strength of the planted links; only "planted" takes another value than 1.0.
        archive_max_keys: page size of the archive's bucket listing (S3 pages at 1000; a
            small value makes a client walk many pages).

    Yields:
        The running :class:`Emulator`.

    Raises:
        ValueError: for an unknown bad-data kind, market kind, or an effect it does not take.
    """
    built = market_for(seed, market, effect)
    snapshot = replace(make_snapshot(built, today, now), bad_data=checked_kinds(bad_data))
    server = _Server(("127.0.0.1", port), _Handler)
    emulator = Emulator(snapshot, server.server_address[1], archive_max_keys)
    server.emulator = emulator
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield emulator
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
