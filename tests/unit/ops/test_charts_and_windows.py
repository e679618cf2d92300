"""The SVG bar chart and the window parser."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from docket.ops import OpsInputError
from docket.ops.charts import bar_chart
from docket.ops.windows import default_bucket, parse_window


def test_bars_scale_to_the_largest_value_and_missing_values_leave_gaps() -> None:
    svg = bar_chart([2.0, None, 4.0], ["a", "b", "c"], title="posted", height=130)
    root = ElementTree.fromstring(svg)  # well-formed XML
    bars = root.findall("{http://www.w3.org/2000/svg}rect")
    assert [text.text for text in root.findall("{http://www.w3.org/2000/svg}text")][1:] == ["a", "c"]
    assert [float(bar.get("height", "")) for bar in bars] == [50.0, 100.0]  # plot height 100
    assert [bar.findtext("{http://www.w3.org/2000/svg}title") for bar in bars] == ["a: 2", "c: 4"]


def test_chart_text_is_escaped() -> None:
    title = 'x" onload="alert(1)'
    svg = bar_chart([1.0], ["<b>"], title=title, maximum=2.0, height=130)
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label") == title and root.get("onload") is None
    assert "<b>" not in svg
    assert re.search(r'height="50\.0"', svg)  # half of the 100 px plot: scaled to maximum, not to the value
    with pytest.raises(ValueError):
        bar_chart([1.0, 2.0], ["one"], title="t")


def test_an_empty_chart_says_so() -> None:
    assert "no data" in bar_chart([None, None], ["a", "b"], title="latency")


def test_windows() -> None:
    assert parse_window("24h") == timedelta(hours=24)
    assert parse_window(" 7D ") == timedelta(days=7)
    assert parse_window("90m") == timedelta(minutes=90)
    for bad in ("", "7", "h", "-1d", "0h", "1y", "9999w"):
        with pytest.raises(OpsInputError):
            parse_window(bad)
    assert default_bucket(timedelta(hours=1)) == timedelta(minutes=5)
    assert default_bucket(timedelta(hours=24)) == timedelta(hours=1)
    assert default_bucket(timedelta(days=7)) == timedelta(hours=6)
    assert default_bucket(timedelta(days=30)) == timedelta(days=1)
    assert default_bucket(timedelta(days=90)) == timedelta(weeks=1)
