"""S3 bucket listings (ListObjects v1 XML): the page parser, the marker paginator, the loop."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rotation_kernel.errors import SchemaDriftError

if TYPE_CHECKING:
    from sources._http import HttpClient

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
_NS = {"s3": S3_NAMESPACE}


@dataclass(frozen=True)
class ListPage:
    """One decoded ListBucketResult.

    Attributes:
        prefixes: each ``CommonPrefixes/Prefix`` (the "folders" at the delimiter), in order.
        keys: each ``Contents/Key`` (the objects), in order.
        is_truncated: another page follows.
        next_marker: where the next page starts; present whenever ``is_truncated``.
    """

    prefixes: tuple[str, ...]
    keys: tuple[str, ...]
    is_truncated: bool
    next_marker: str | None


def parse_listing(source: str, body: bytes) -> ListPage:
    """Decode one ListObjects v1 page.

    Args:
        source: named in drift errors.
        body: the XML as received.

    Returns:
        The page's prefixes, keys and paging fields.

    Raises:
        SchemaDriftError: not XML, not a ListBucketResult in the S3 namespace, IsTruncated not
            ``true``/``false``, a truncated page without NextMarker, or an entry without its
            Prefix/Key; the error names the field.
    """
    try:
        # The stdlib parser is safe here: it resolves no external entities, and expat (>= 2.4.1,
        # bundled with Python 3.11) refuses entity-expansion bombs.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError as exc:
        detail = f"the listing is not XML: {exc}"
        raise SchemaDriftError(source, "ListBucketResult", detail) from None
    if root.tag != f"{{{S3_NAMESPACE}}}ListBucketResult":
        raise SchemaDriftError(
            source, "ListBucketResult", f"expected the S3 ListBucketResult, got <{root.tag}>"
        )
    truncated = root.findtext("s3:IsTruncated", namespaces=_NS)
    if truncated not in ("true", "false"):
        raise SchemaDriftError(source, "IsTruncated", f"expected true or false, got {truncated!r}")
    next_marker = root.findtext("s3:NextMarker", namespaces=_NS) or None
    if truncated == "true" and next_marker is None:
        # S3 sends NextMarker on truncated pages whenever the request has a delimiter, as ours do.
        raise SchemaDriftError(source, "NextMarker", "a truncated page must say where to go on")
    return ListPage(
        prefixes=_texts(source, root, "CommonPrefixes", "Prefix"),
        keys=_texts(source, root, "Contents", "Key"),
        is_truncated=truncated == "true",
        next_marker=next_marker,
    )


def _texts(source: str, root: ET.Element, entry: str, child: str) -> tuple[str, ...]:
    texts = []
    for element in root.iterfind(f"s3:{entry}", _NS):
        text = element.findtext(f"s3:{child}", namespaces=_NS)
        if not text:
            raise SchemaDriftError(source, f"{entry}.{child}", "an entry without its value")
        texts.append(text)
    return tuple(texts)


class MarkerPaginator:
    """S3 ListObjects v1 pages, each starting after the last page's ``NextMarker``.

    Reads::

        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>data.binance.vision</Name><Prefix>data/spot/monthly/klines/</Prefix>
          <Marker></Marker><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>
          <IsTruncated>true</IsTruncated><NextMarker>data/spot/monthly/klines/ADAUSDT/</NextMarker>
          <CommonPrefixes><Prefix>data/spot/monthly/klines/1INCHUSDT/</Prefix></CommonPrefixes>
          ...
        </ListBucketResult>

    Writes ``marker`` (none on the first request); stops after a page with IsTruncated false.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.marker: str | None = None
        self.has_next_page = True

    def update_state(self, response: ListPage) -> None:
        if not response.is_truncated:
            self.has_next_page = False
            return
        if self.marker is not None and response.next_marker <= self.marker:
            # A server that ignores marker would otherwise be asked the same page forever.
            raise SchemaDriftError(self.source, "NextMarker", "the marker did not advance")
        self.marker = response.next_marker

    def update_request(self, params: dict[str, Any]) -> None:
        if self.marker is not None:
            params["marker"] = self.marker


def list_pages(
    http: HttpClient, url: str, params: Mapping[str, Any], source: str
) -> Iterator[ListPage]:
    """Yield the decoded pages of one bucket listing, one request at a time.

    Args:
        http: the client that owns retries and redaction.
        url: the bucket's listing URL.
        params: ``prefix``, ``delimiter`` and optionally ``max-keys``, shared by every page.
        source: named in drift errors.

    Returns:
        An iterator of pages; nothing is fetched until it is consumed.

    Raises:
        SourceHTTPError: from the client.
        SchemaDriftError: a page that :func:`parse_listing` refuses, or a marker that stalls.
    """
    paginator = MarkerPaginator(source)
    request_params = dict(params)
    while True:
        paginator.update_request(request_params)
        page = parse_listing(source, http.get(url, request_params).content)
        paginator.update_state(page)
        yield page
        if not paginator.has_next_page:
            return
