from datetime import date

import pytest

from ledgerlite.csvio import CsvEntry, export_ledger, import_entries, parse_csv, read_csv, write_csv
from ledgerlite.errors import CsvFormatError
from ledgerlite.ledger import Ledger
from ledgerlite.money import Money

SAMPLE = (
    "date,payee,account,amount,currency,memo\n"
    "2026-03-01,ACME payroll,income:salary,-2500.00,EUR,March\n"
    '2026-03-02,"Smith, J.",expenses:rent,900,EUR,\n'
)


def test_parse_csv():
    entries = parse_csv(SAMPLE)
    assert entries[0] == CsvEntry(date(2026, 3, 1), "ACME payroll", "income:salary",
                                  Money("-2500", "EUR"), "March")
    assert entries[1].payee == "Smith, J."
    assert entries[1].memo == ""


def test_memo_column_is_optional():
    entries = parse_csv("date,payee,account,amount,currency\n2026-03-01,X,a,1,USD\n")
    assert entries[0].memo == ""


def test_semicolon_delimiter():
    text = "date;payee;account;amount;currency\n2026-03-01;X;a;1,234.50;EUR\n"
    assert parse_csv(text, delimiter=";")[0].amount == Money("1234.50", "EUR")


def test_missing_column_is_reported():
    with pytest.raises(CsvFormatError, match="missing column.*currency"):
        parse_csv("date,payee,account,amount\n2026-03-01,X,a,1\n")


def test_bad_value_names_the_line():
    with pytest.raises(CsvFormatError, match="line 4"):
        parse_csv(SAMPLE + "2026-13-01,X,a,1,EUR,\n")
    with pytest.raises(CsvFormatError, match="line 2.*amount"):
        parse_csv("date,payee,account,amount,currency\n2026-03-01,X,a,abc,EUR\n")


def test_empty_file():
    with pytest.raises(CsvFormatError, match="header"):
        parse_csv("")


def test_read_csv_utf8_file(tmp_path):
    path = tmp_path / "march.csv"
    path.write_bytes("date,payee,account,amount,currency\n2026-03-03,Café Zoë,expenses:food,4.20,EUR\n"
                     .encode("utf-8"))
    assert read_csv(path)[0].payee == "Café Zoë"


def test_read_csv_rejects_latin1(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,payee,account,amount,currency\n2026-03-03,Café,x,1,EUR\n".encode("latin-1"))
    with pytest.raises(CsvFormatError, match="not UTF-8"):
        read_csv(path)


def test_write_csv_round_trip():
    entries = parse_csv(SAMPLE)
    text = write_csv(entries)
    assert text.splitlines()[1] == "2026-03-01,ACME payroll,income:salary,-2500.00,EUR,March"
    assert '"Smith, J."' in text
    assert parse_csv(text) == entries


def test_export_and_import_ledger():
    book = Ledger()
    book.open_account("assets:bank", "asset", "USD")
    book.open_account("expenses:office", "expense", "USD")
    statement = parse_csv(
        "date,payee,account,amount,currency\n"
        "2026-03-04,Paper Co,expenses:office,19.5,USD\n"
        "2026-03-02,Ink Ltd,expenses:office,5,USD\n"
    )
    import_entries(book, statement, counter_account="assets:bank")
    assert book.balance("assets:bank") == Money("-24.50", "USD")
    lines = export_ledger(book).splitlines()
    assert lines[1:] == [
        "2026-03-02,Ink Ltd,expenses:office,5.00,USD,",
        "2026-03-02,Ink Ltd,assets:bank,-5.00,USD,",
        "2026-03-04,Paper Co,expenses:office,19.50,USD,",
        "2026-03-04,Paper Co,assets:bank,-19.50,USD,",
    ]


def test_read_csv_with_byte_order_mark(tmp_path):
    path = tmp_path / "export-from-spreadsheet.csv"
    body = ("date,payee,account,amount,currency,memo\n"
            "2026-03-03,Café Zoë,expenses:food,4.20,EUR,Frühstück\n")
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    entries = read_csv(path)
    assert entries == [CsvEntry(date(2026, 3, 3), "Café Zoë", "expenses:food", Money("4.20", "EUR"),
                                "Frühstück")]


def test_parse_csv_text_starting_with_byte_order_mark():
    assert parse_csv("\ufeff" + SAMPLE) == parse_csv(SAMPLE)
