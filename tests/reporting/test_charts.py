"""The SVG charts: accessible, readable without colour, and free of inline styles."""

import datetime as dt
import xml.etree.ElementTree as ET

from reporting.charts import Bar, Series, bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(svg: ET.Element) -> list[str]:
    return [element.text for element in svg.iter(f"{SVG}text")]


def test_bar_chart_is_an_image_with_title_description_and_direct_labels():
    svg = parse(
        bar_chart("chart-x", "Fälle nach Phase", [Bar("Erstkontakt", 12, "12"), Bar("Pausiert", 0, "0")])
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert svg.find(f"{SVG}title").text == "Fälle nach Phase"
    assert "Erstkontakt: 12" in svg.find(f"{SVG}desc").text
    assert {"Erstkontakt", "12", "Pausiert", "0"} <= set(texts(svg))
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("height") == "16"]
    assert len(bars) == 1  # no bar for zero
    assert bars[0].get("stroke")  # an outline, so the bar shows in black and white


def test_suppressed_bars_are_hatched_and_do_not_show_their_length():
    one = parse(bar_chart("c", "T", [Bar("A", 1, "<3", hidden=True), Bar("B", 10, "10")], hidden_up_to=3))
    two = parse(bar_chart("c", "T", [Bar("A", 2, "<3", hidden=True), Bar("B", 10, "10")], hidden_up_to=3))
    assert ET.tostring(one) == ET.tostring(two)
    assert "url(#c-hatch)" in ET.tostring(one).decode()
    assert "1" not in texts(one) and "<3" in texts(one)


def test_labels_are_escaped():
    markup = str(bar_chart("c", "<script>", [Bar("A & <b>", 3, "3")]))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    parse(markup)


def test_trend_chart_tells_lines_apart_without_colour():
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    series = [
        Series(name, values, [str(v) for v in values], [False] * 12)
        for name, values in (("aktiv", [5] * 12), ("eröffnet", list(range(12))), ("abgeschlossen", [1] * 12))
    ]
    svg = parse(trend_chart("t", "Verlauf", months, series))
    assert svg.get("role") == "img"
    lines = list(svg.iter(f"{SVG}polyline"))
    assert len(lines) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3  # solid, dashed, dotted
    assert {"Jan.", "Dez.", "2025", "aktiv: 5", "eröffnet: 11"} <= set(texts(svg))
    assert "style" not in ET.tostring(svg).decode()
