"""The gate profile's harness on a tiny part: it profiles the real gate on the real batch shape."""

from __future__ import annotations

from bench import profile_gate


def test_a_tiny_part_is_profiled_and_reported(tmp_path):
    p = profile_gate.profile(pages=2, calls=1)

    assert p.rows == 2000  # two full pages of 1,000 klines
    assert set(p.buckets) == set(profile_gate.BUCKETS)
    assert p.buckets["key check (expect_key_to_be_unique)"] > 0  # the owners are found
    assert p.top.splitlines()[0].split()[:2] == ["ncalls", "tottime"]

    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\nkept\n")
    profile_gate.write_section(
        results, profile_gate.SECTION_START, profile_gate.SECTION_END, profile_gate.section(p)
    )
    text = results.read_text()
    assert "kept" in text and "2,000 klines" in text and "Top 12 functions" in text
