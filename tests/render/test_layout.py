"""The layout (``render/layout``) and cells (``render/cells``): pure, on made-up groups."""

from statusline.render import cells, layout, segments

G = segments.GLYPHS["plain"]


def part(name, text):
    return (name, [(text, "text")])


def test_order_rows_message_and_markers():
    parts = [part("five_hour", "5h 78%"), part("seven_day", "7d 41%"), part("model", "Opus"),
             part("git", "main"), ("marks", [(" !run claude", "crit")])]
    one = layout.arrange(parts, ["model", "seven_day", "five_hour", "git"])
    assert [n for n, _ in one[0]] == ["model", "seven_day", "five_hour", "marks", "git"]
    two = layout.arrange(parts, [], rows=[["five_hour", "seven_day"], ["model", "git"]])
    assert [[n for n, _ in row] for row in two] == [["five_hour", "seven_day", "marks"], ["model", "git"]]
    assert len(layout.arrange(parts, [], rows=[["five_hour"], ["git"]], single=True)) == 1
    msg = layout.arrange([part("message", "claude: offline"), part("model", "Opus")], ["model"])
    assert [n for n, _ in msg[0]] == ["message", "model"]
    assert layout.arrange([part("five_hour", "5h")], ["scoped"], rows=[["scoped"]]) == []  # names the weekly slot
    apart = layout.arrange(parts, [], rows=[["five_hour", "seven_day"], ["scoped", "model"]])
    assert [[n for n, _ in row] for row in apart] == [["five_hour", "seven_day", "marks"], ["model"]]  # once
    weekly_below = layout.arrange(parts, [], rows=[["five_hour", "scoped"], ["seven_day", "model"]])
    assert [[n for n, _ in row] for row in weekly_below] == [["five_hour", "marks"], ["seven_day", "model"]]


def test_fit_drops_the_lowest_priority_first_and_never_a_limit():
    row = [part("five_hour", "5h 78%"), part("model", "Opus"), part("cwd", "proj"), part("context", "ctx 9%")]
    assert [n for n, _ in layout.fit(row, 100, G)] == ["five_hour", "model", "cwd", "context"]
    assert [n for n, _ in layout.fit(row, 22, G)] == ["five_hour", "model", "context"]  # cwd (20) first
    assert [n for n, _ in layout.fit(row, 16, G)] == ["five_hour", "context"]
    assert [n for n, _ in layout.fit(row, 3, G)] == ["five_hour"]


def test_cells_count_as_a_terminal_does():
    assert cells.cells("abc") == 3
    assert cells.cells("\u23f0") == 2 and cells.cells("\u26a0") == 1  # an alarm clock is wide; the warning sign not
    assert cells.cells("\u6f22\u5b57") == 4 and cells.cells("\U0001F916") == 2
    assert cells.cells("e\u0301") == 1 and cells.cells("\u200d\ufe0f") == 0
    assert cells.cut("\u6f22\u5b57\u6f22", 4) == "\u6f22\u2026" and cells.cut("abc", 5) == "abc"


def test_cells_agree_with_unicodedata_for_every_glyph_we_know():
    import unicodedata

    for ch, w in cells.KNOWN.items():
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        assert w == (2 if wide else 1), (hex(ord(ch)), w)
