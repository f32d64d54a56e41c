"""CSV import and export of transactions.

One row per posting, with the columns date, payee, account, amount, currency and an
optional memo. Files are UTF-8; a byte-order mark (as written by spreadsheet programs)
is accepted.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from ledgerlite.dates import parse_date
from ledgerlite.errors import CsvFormatError, LedgerError
from ledgerlite.ledger import Ledger, Transaction
from ledgerlite.money import Money

COLUMNS = ("date", "payee", "account", "amount", "currency", "memo")
REQUIRED = COLUMNS[:5]


@dataclass(frozen=True)
class CsvEntry:
    date: date
    payee: str
    account: str
    amount: Money
    memo: str = ""


def parse_csv(text: str, *, delimiter: str = ",") -> list[CsvEntry]:
    """Parse CSV text into entries; errors name the line that is wrong."""
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames
    if not header:
        raise CsvFormatError(f"empty CSV: expected a header line with {', '.join(REQUIRED)}")
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise CsvFormatError(
            f"missing column(s) {', '.join(missing)}; the header is {', '.join(header)}"
        )
    entries = []
    for row in reader:
        if None in row or any(row[column] is None for column in REQUIRED):
            raise CsvFormatError(f"line {reader.line_num}: wrong number of fields")
        try:
            entries.append(
                CsvEntry(
                    date=parse_date(row["date"]),
                    payee=row["payee"].strip(),
                    account=row["account"].strip(),
                    amount=Money(row["amount"], row["currency"]),
                    memo=(row.get("memo") or "").strip(),
                )
            )
        except LedgerError as exc:
            raise CsvFormatError(f"line {reader.line_num}: {exc}") from exc
    return entries


def read_csv(path: str | os.PathLike[str], *, delimiter: str = ",") -> list[CsvEntry]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            text = handle.read()
        except UnicodeDecodeError as exc:
            raise CsvFormatError(
                f"{os.fspath(path)} is not UTF-8 ({exc.reason} at byte {exc.start}); "
                "save it as UTF-8 and retry"
            ) from None
    return parse_csv(text, delimiter=delimiter)


def write_csv(entries: Iterable[CsvEntry], *, delimiter: str = ",") -> str:
    """CSV text with a header line; amounts carry exactly the currency's decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                entry.date.isoformat(),
                entry.payee,
                entry.account,
                entry.amount.amount_text(),
                entry.amount.currency,
                entry.memo,
            ]
        )
    return buffer.getvalue()


def export_ledger(ledger: Ledger, *, start: date | None = None, end: date | None = None) -> str:
    """Every posting of the ledger's transactions (in date order) as CSV text."""
    entries = [
        CsvEntry(txn.date, txn.payee, posting.account, posting.amount, txn.memo)
        for txn in ledger.transactions(start=start, end=end)
        for posting in txn.postings
    ]
    return write_csv(entries)


def import_entries(
    ledger: Ledger, entries: Iterable[CsvEntry], *, counter_account: str
) -> list[Transaction]:
    """Post each entry as a transaction balanced against counter_account (e.g. a bank
    statement line against "assets:bank")."""
    posted = []
    for entry in entries:
        posted.append(
            ledger.record(
                entry.date,
                entry.payee,
                [(entry.account, entry.amount), (counter_account, -entry.amount)],
                entry.memo,
            )
        )
    return posted
