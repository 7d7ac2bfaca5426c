"""Pagination as a small protocol: page numbers, offsets, a time cursor and fixed time windows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from rotation_kernel.errors import SchemaDriftError

if TYPE_CHECKING:
    from sources._http import HttpClient


class Paginator(Protocol):
    """Reads each decoded page, then writes the next request's query parameters.

    ``update_request`` is called before every request, the first included, so a paginator
    owns its paging parameters from the start.
    """

    has_next_page: bool

    def update_state(self, response_json: Any) -> None:
        """Read the page just received and decide whether another one follows.

        Args:
            response_json: the decoded page.

        Raises:
            SchemaDriftError: the page lacks the field this paginator reads.
        """
        ...

    def update_request(self, params: dict[str, Any]) -> None:
        """Write this paginator's parameters for the next request into ``params``.

        Args:
            params: the query parameters, changed in place.
        """
        ...


def _int_field(source: str, container: Any, key: str, where: str) -> int:
    """``container[key]`` as an int, or SchemaDriftError naming ``where``."""
    value = container.get(key) if isinstance(container, Mapping) else None
    # bool is an int subclass; a paging counter is never a bool.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SchemaDriftError(source, where, f"expected an integer, got {value!r}")
    return value


class PageNumberPaginator:
    """Numbered pages until ``meta["total-pages"]`` (Treasury Fiscal Data).

    Reads::

        {"data": [...], "meta": {"count": 20, "total-count": 20, "total-pages": 1, ...},
         "links": {"next": null, ...}}

    Writes ``page[number]`` (from 1) and ``page[size]``.
    """

    def __init__(
        self,
        source: str,
        page_size: int,
        number_param: str = "page[number]",
        size_param: str = "page[size]",
    ) -> None:
        self.source = source
        self.page_size = page_size
        self.number_param = number_param
        self.size_param = size_param
        self.page = 1
        self.has_next_page = True

    def update_state(self, response_json: Any) -> None:
        meta = response_json.get("meta") if isinstance(response_json, Mapping) else None
        total_pages = _int_field(self.source, meta, "total-pages", "meta.total-pages")
        # An empty result says total-pages 0; page 1 is then also the last one.
        self.has_next_page = self.page < total_pages
        self.page += 1

    def update_request(self, params: dict[str, Any]) -> None:
        params[self.number_param] = self.page
        params[self.size_param] = self.page_size


class OffsetPaginator:
    """``offset``/``limit`` windows until ``count`` rows have been served (FRED).

    Reads::

        {"count": 1021, "offset": 0, "limit": 100000, "observations": [...], ...}

    Writes ``offset`` (from 0) and ``limit``; there is a next page while offset + limit < count.
    """

    def __init__(self, source: str, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.offset = 0
        self.has_next_page = True

    def update_state(self, response_json: Any) -> None:
        count = _int_field(self.source, response_json, "count", "count")
        self.offset += self.limit
        self.has_next_page = self.offset < count

    def update_request(self, params: dict[str, Any]) -> None:
        params["offset"] = self.offset
        params["limit"] = self.limit


class TimeCursorPaginator:
    """Walks forward by a row's time (Binance klines; futures funding with ``time_key``).

    Reads a bare array of rows whose first field is the open time in epoch ms::

        [[1502928000000, "4261.48", ..., 1503014399999, ...], ...]

    or, with ``time_key="fundingTime"``, rows that are objects::

        [{"symbol": "BTCUSDT", "fundingTime": 1698768000000, "fundingRate": "0.00010000", ...}]

    Writes ``startTime`` (the last row's time + 1 ms) and ``limit``. Stops when a page holds
    fewer than ``limit`` rows or the next start passes ``end_ms``.
    """

    def __init__(
        self, source: str, start_ms: int, end_ms: int, limit: int, time_key: int | str = 0
    ) -> None:
        self.source = source
        self.cursor = start_ms
        self.end_ms = end_ms
        self.limit = limit
        self.time_key = time_key
        # Named in drift errors: the wire name of the time field.
        self.time_field = time_key if isinstance(time_key, str) else "openTime"
        self.has_next_page = True

    def update_state(self, response_json: Any) -> None:
        if not isinstance(response_json, list):
            raise SchemaDriftError(self.source, "<root>", "expected an array of rows")
        if len(response_json) < self.limit:
            # A short page (empty included) is the last one.
            self.has_next_page = False
            return
        last_time = _row_field(response_json[-1], self.time_key)
        if not isinstance(last_time, int) or isinstance(last_time, bool):
            raise SchemaDriftError(
                self.source, self.time_field, f"expected epoch ms, got {last_time!r}"
            )
        next_cursor = last_time + 1
        if next_cursor <= self.cursor:
            # A server that ignores startTime would otherwise be asked the same page forever.
            raise SchemaDriftError(self.source, self.time_field, "the time cursor did not advance")
        self.cursor = next_cursor
        self.has_next_page = next_cursor <= self.end_ms

    def update_request(self, params: dict[str, Any]) -> None:
        params["startTime"] = self.cursor
        params["limit"] = self.limit


def _row_field(row: Any, key: int | str) -> Any:
    """``row[key]`` for an array row (int key) or an object row (str key); None if absent."""
    if isinstance(key, int):
        return row[key] if isinstance(row, list) and len(row) > key else None
    return row.get(key) if isinstance(row, Mapping) else None


def epoch_s(day: date) -> int:
    """Epoch seconds of ``day`` 00:00 UTC (a daily candle's open time on most venues).

    Args:
        day: a calendar date, read as UTC.

    Returns:
        Seconds since 1970-01-01 00:00 UTC.
    """
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


class TimeWindowPaginator:
    """Fixed windows of ``width_s`` seconds walked forward over [first_s, last_s] (Coinbase).

    For APIs that cap the rows per request and take an explicit range instead of a cursor.
    The next window does not depend on the answer, which is only checked to be a bare array
    of rows (Coinbase sends candles newest first)::

        [[1704153600, 42100.5, 45500.0, 42280.1, 44950.3, 15321.2], [1704067200, ...], ...]

    Writes ``start`` and ``end`` as ISO 8601 UTC (``2024-01-01T00:00:00Z``). A window ends
    1 s before the next one starts, so no row is asked for twice.
    """

    def __init__(
        self,
        source: str,
        first_s: int,
        last_s: int,
        width_s: int,
        start_param: str = "start",
        end_param: str = "end",
    ) -> None:
        self.source = source
        self.window_start = first_s
        self.last_s = last_s
        self.width_s = width_s
        self.start_param = start_param
        self.end_param = end_param
        self.has_next_page = first_s <= last_s

    def update_state(self, response_json: Any) -> None:
        if not isinstance(response_json, list):
            raise SchemaDriftError(self.source, "<root>", "expected an array of rows")
        self.window_start += self.width_s
        self.has_next_page = self.window_start <= self.last_s

    def update_request(self, params: dict[str, Any]) -> None:
        window_end = min(self.window_start + self.width_s - 1, self.last_s)
        params[self.start_param] = _iso8601(self.window_start)
        params[self.end_param] = _iso8601(window_end)


def _iso8601(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def paginate(
    http: HttpClient, url: str, params: Mapping[str, Any], paginator: Paginator
) -> Iterator[Any]:
    """Yield decoded JSON pages, one request at a time, until the paginator says stop.

    Args:
        http: the client that owns retries and redaction.
        url: the endpoint.
        params: the query parameters shared by every page.
        paginator: writes its paging parameters and reads each page.

    Returns:
        An iterator of decoded pages; nothing is fetched until it is consumed.

    Raises:
        SourceHTTPError / SourceAPIError: from the client.
        SchemaDriftError: when a page lacks the field the paginator reads.
    """
    request_params = dict(params)
    while True:
        paginator.update_request(request_params)
        page = http.get_json(url, request_params)
        paginator.update_state(page)
        yield page
        if not paginator.has_next_page:
            return


def paginate_bodies(
    http: HttpClient, url: str, params: Mapping[str, Any], paginator: Paginator
) -> Iterator[tuple[bytes, Any]]:
    """Like :func:`paginate`, but keep each response body exactly as received.

    For the sources whose pages DuckDB types at load time: the body goes to the spool as
    it is. It is still decoded once (orjson, in C) because the paginator reads its paging
    fields and the extractor counts records; the decoded page is dropped straight away.

    Args:
        http: the client that owns retries and redaction.
        url: the endpoint.
        params: the query parameters shared by every page.
        paginator: writes its paging parameters and reads each page.

    Returns:
        An iterator of ``(body, decoded page)``; nothing is fetched until it is consumed.

    Raises:
        SourceHTTPError / SourceAPIError: from the client, or a body that is not JSON.
        SchemaDriftError: when a page lacks the field the paginator reads.
    """
    request_params = dict(params)
    while True:
        paginator.update_request(request_params)
        # A body that is not JSON (truncated, an HTML error page sent with 200) is retried
        # by the client like any transient failure, then raised as SourceHTTPError.
        body, page = http.get_json_page(url, request_params)
        paginator.update_state(page)
        yield body, page
        if not paginator.has_next_page:
            return
