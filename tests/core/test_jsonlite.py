"""jsonlite, the hook's JSON reader, agrees with ``json`` on every JSON text and refuses the rest."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from statusline.core import jsonlite

SCALARS = (st.none() | st.booleans() | st.integers(-(10**30), 10**30)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                                            max_size=5), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans(), st.booleans())
def test_reads_what_json_writes(value, ascii_only, pretty):
    text = json.dumps(value, ensure_ascii=ascii_only, indent=2 if pretty else None)
    assert jsonlite.loads(text) == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('{}[]",:\\/ \t\n0123456789-+.eEtrufalsnINaybcx\x00\x1f\u00e9\ud800'),
               max_size=40))
def test_any_text_is_read_as_json_reads_it_or_refused(text):
    try:
        want = json.loads(text)
    except (ValueError, RecursionError):
        want = ValueError
    try:
        got = jsonlite.loads(text)
    except (ValueError, RecursionError):
        got = ValueError
    if want is not ValueError and _has_nonfinite(want):
        assert got is ValueError  # NaN, Infinity: json lets them through, JSON does not
    else:
        assert got == want


def _has_nonfinite(v):
    if isinstance(v, float):
        return not math.isfinite(v)
    if isinstance(v, list):
        return any(_has_nonfinite(x) for x in v)
    if isinstance(v, dict):
        return any(_has_nonfinite(x) for x in v.values())
    return False


def test_a_string_with_escapes_or_controls_takes_the_careful_path():
    assert jsonlite.loads('"a\\"b\\u00e9\\ud83d\\ude00"') == 'a"b\u00e9\U0001f600'
    for bad in ('"a\x01b"', '"a\nb"', '"unterminated', '"a\\qb"'):
        try:
            jsonlite.loads(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
