import pytest

from textkit import CSVError, dumps, format_row, parse, read_dicts, sniff_delimiter, write_dicts


def test_parse_simple():
    assert parse("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]]


def test_parse_without_final_newline():
    assert parse("a,b\n1,2") == [["a", "b"], ["1", "2"]]


def test_parse_empty_fields():
    assert parse("a,,c\n,,\n") == [["a", "", "c"], ["", "", ""]]


def test_parse_quoted_delimiter_and_newline():
    assert parse('name,note\n"Smith, J","line one\nline two"\n') == [
        ["name", "note"],
        ["Smith, J", "line one\nline two"],
    ]


def test_parse_crlf():
    assert parse("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]]


def test_parse_tabs():
    assert parse("a\tb\n1\t2\n", delimiter="\t") == [["a", "b"], ["1", "2"]]


def test_parse_unterminated_quote():
    with pytest.raises(CSVError):
        parse('a,"open\n')


def test_parse_rejects_long_delimiter():
    with pytest.raises(CSVError):
        parse("a::b", delimiter="::")


def test_format_row_quotes_when_needed():
    assert format_row(["plain", "a,b", " padded", None, 3]) == 'plain,"a,b"," padded",,3'


def test_dumps_and_parse_round_trip():
    rows = [["id", "text"], ["1", "hello, world"], ["2", "two\nlines"]]
    assert parse(dumps(rows)) == rows


@pytest.mark.parametrize(
    "sample, expected",
    [("a,b,c\n1,2,3", ","), ("a\tb\tc\n", "\t"), ("a;b;c", ";"), ("a|b", "|"), ("single", ",")],
)
def test_sniff_delimiter(sample, expected):
    assert sniff_delimiter(sample) == expected


def test_read_dicts_from_text():
    assert read_dicts("name,age\nAda,36\nAlan,41\n") == [
        {"name": "Ada", "age": "36"},
        {"name": "Alan", "age": "41"},
    ]


def test_read_dicts_pads_short_rows():
    assert read_dicts("a;b;c\n1;2\n") == [{"a": "1", "b": "2", "c": ""}]


def test_read_dicts_rejects_long_rows():
    with pytest.raises(CSVError, match="row 2"):
        read_dicts("a,b\n1,2,3\n")


def test_read_dicts_from_latin1_bytes():
    data = "name,city\nJosé,Málaga\n".encode("latin-1")
    assert read_dicts(data) == [{"name": "José", "city": "Málaga"}]


def test_read_dicts_empty():
    assert read_dicts("") == []


def test_write_dicts_collects_fieldnames():
    text = write_dicts([{"a": 1}, {"b": 2}])
    assert text == "a,b\n1,\n,2\n"


def test_write_dicts_round_trip():
    records = [{"name": "Ada", "note": "x, y"}]
    assert read_dicts(write_dicts(records)) == records


def test_parse_doubled_quotes():
    assert parse('a,"say ""hi""",c\n') == [["a", 'say "hi"', "c"]]
    assert parse('""""\n') == [['"']]


def test_round_trip_with_quotes():
    rows = [["id", "quote"], ["1", 'He said "no"'], ["2", '"quoted", with comma']]
    assert parse(dumps(rows)) == rows
