"""How a bulk load cuts spooled streams into parts (one INSERT each) and groups (one commit)."""

from __future__ import annotations

from pathlib import Path

from warehouse.spool import SpooledStream, groups_of


def stream(name: str, pages: int) -> SpooledStream:
    files = [Path(f"{name}/page-{i:03d}.json") for i in range(1, pages + 1)]
    return SpooledStream("binance", "klines_1m", name, files, pages * 1000, "json")


def shape(groups):
    """Per group, per part: (stream, pages) of each piece."""
    return [[[(p.stream, len(p.files)) for p in part] for part in group] for group in groups]


def test_a_part_may_end_one_stream_and_begin_the_next():
    groups = groups_of([stream("A", 5), stream("B", 4)], max_pages=3)

    assert shape(groups) == [
        [[("A", 3)]],
        [[("A", 2), ("B", 1)]],
        [[("B", 3)]],
    ]


def test_parts_are_packed_into_groups_of_at_most_commit_pages():
    groups = groups_of([stream("A", 5), stream("B", 4)], max_pages=2, commit_pages=4)

    assert shape(groups) == [
        [[("A", 2)], [("A", 2)]],
        [[("A", 1), ("B", 1)], [("B", 2)]],
        [[("B", 1)]],
    ]


def test_pages_keep_their_order_and_none_is_lost_or_repeated():
    streams = [stream("A", 7), stream("B", 0), stream("C", 3)]

    groups = groups_of(streams, max_pages=4, commit_pages=8)

    pieces = [p for group in groups for part in group for p in part]
    assert [f for p in pieces for f in p.files] == [f for s in streams for f in s.files]
    assert all(p.format == "json" and p.rows == 0 for p in pieces)  # counted when inserted
    assert "B" not in {p.stream for p in pieces}  # a stream without pages has no piece


def test_a_group_is_never_smaller_than_one_part():
    """commit_pages below max_pages would make a part span commits: it is raised to a part."""
    assert shape(groups_of([stream("A", 4)], max_pages=2, commit_pages=1)) == [
        [[("A", 2)]],
        [[("A", 2)]],
    ]
