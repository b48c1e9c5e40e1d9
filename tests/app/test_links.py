"""Regression tests for crafted links (issue 13, item 1): every number in a URL is read by one parser
(engine.data.matrix_text.parse_int), so Unicode digits, '--' and the like get the link note, not a traceback."""
import pytest

from engine.data.matrix_text import parse_decimal, parse_int
from tests.app.checks import assert_link_note

CRAFTED = [  # (page, query, the key the note names): the links of the probe
    ("padding.py", {"pd_stride": "²"}, "pd_stride"),
    ("padding.py", {"pd_stride": "--2"}, "pd_stride"),
    ("cross_correlation.py", {"xc_step": "³"}, "xc_step"),
    ("cross_correlation.py", {"demo": "1", "demo_step": "¹"}, "demo_step"),
    ("cross_correlation.py", {"demo": "1", "demo_every": "--5"}, "demo_every"),
    ("train_cnn_mlp.py", {"tr_seed": "--1"}, "tr_seed"),
    ("strides.py", {"sd_sh": "٣"}, "sd_sh"),  # an Arabic-Indic 3: int() reads it, the parser does not
    ("strides.py", {"sd_p": "1" * 5000}, "sd_p"),
]


@pytest.mark.parametrize("page,query,key", CRAFTED, ids=lambda v: repr(v) if isinstance(v, dict) else None)
def test_crafted_number_in_a_link_gets_the_note(open_page, page, query, key):
    at = open_page(page, query)
    assert_link_note(at, {key: None})
    assert key not in at.query_params, "reported, then dropped: a shared link does not carry it on"


@pytest.mark.parametrize("page, query, note", [
    ("pooling_invariance.py", {"pd_stride": "99999"}, "`pd_stride` is a setting of another lesson (Padding)"),
    ("padding.py", {"pd_x": "lol", "pd_step": "x"}, "`pd_x` should be numbers"),
    ("padding.py", {"hide": "idea,bogus"}, "no such key here: `bogus`"),
])
def test_unusable_link_values_are_noted_then_dropped_from_the_url(open_page, page, query, note):
    at = open_page(page, query)
    assert not at.exception
    assert note in "".join(w.value for w in at.warning)
    assert "pd_stride" not in at.query_params and "pd_x" not in at.query_params and "pd_step" not in at.query_params
    assert at.query_params.get("hide") in (None, "idea")  # the known name stays, the unknown one goes
    if "pd_x" in query:  # the text box shows the default again, not the refused value
        default = "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16"
        assert at.text_input(key="pd_x").value == default and not at.error
        at.run()  # the next run keeps the default and the note does not come back
        assert at.text_input(key="pd_x").value == default and not at.warning


@pytest.mark.parametrize("text", ["²", "--2", "٣", "+1", " 1", "1 ", "1_0", "0x1", "", "-", "1.0", "1" * 19])
def test_parse_int_refuses_what_is_not_ascii_digits(text):
    assert parse_int(text, -10**20, 10**20) is None


@pytest.mark.parametrize("text", ["0", "7", "-3", "007", "123456789012345678"])
def test_parse_int_reads_ascii_whole_numbers_in_range(text):
    assert parse_int(text, -10**20, 10**20) == int(text)
    assert parse_int(text, int(text) + 1, 10**20) is None


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "1_0", "²", "٣.5", "1.2.3", "e5", "."])
def test_parse_decimal_refuses_what_is_not_a_finite_ascii_decimal(text):
    assert parse_decimal(text) is None


@pytest.mark.parametrize("text", ["3", "-0.25", ".5", "5.", "1e-3", "+2E2"])
def test_parse_decimal_reads_what_float_reads(text):
    assert parse_decimal(text) == float(text)
