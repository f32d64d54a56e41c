from datetime import date

import pytest

from ledgerlite.errors import (CurrencyMismatchError, LedgerError, UnbalancedTransactionError,
                               UnknownAccountError)
from ledgerlite.ledger import Ledger, Posting, Transaction
from ledgerlite.money import Money


def eur(text):
    return Money(text, "EUR")


@pytest.fixture
def ledger():
    book = Ledger()
    book.open_account("assets:bank", "asset", "EUR")
    book.open_account("assets:cash", "asset", "EUR")
    book.open_account("expenses:food", "expense", "EUR")
    book.open_account("expenses:food:groceries", "expense", "EUR")
    book.open_account("expenses:rent", "expense", "EUR")
    book.open_account("income:salary", "income", "EUR")
    book.transfer(date(2026, 3, 1), "ACME payroll", "income:salary", "assets:bank", eur("2500"))
    book.transfer(date(2026, 3, 2), "Landlord", "assets:bank", "expenses:rent", eur("900"))
    book.transfer(date(2026, 3, 5), "Market", "assets:cash", "expenses:food:groceries", eur("42.10"))
    book.transfer(date(2026, 3, 9), "Cafe", "assets:bank", "expenses:food", eur("7.90"))
    return book


def test_transaction_must_balance():
    with pytest.raises(UnbalancedTransactionError, match="off by 1.00 EUR"):
        Transaction(date(2026, 1, 1), "x", [Posting("a", eur("10.00")), Posting("b", eur("-9.00"))])


def test_transaction_needs_two_postings():
    with pytest.raises(UnbalancedTransactionError, match="two postings"):
        Transaction(date(2026, 1, 1), "x", [Posting("a", eur("0"))])


def test_transaction_accepts_iso_date_text():
    txn = Transaction("2026-01-02", "x", [Posting("a", eur("1")), Posting("b", eur("-1"))])
    assert txn.date == date(2026, 1, 2)


def test_open_account_validation():
    book = Ledger()
    book.open_account("assets:bank", "asset", "usd")
    assert book.account("assets:bank").currency == "USD"
    with pytest.raises(LedgerError, match="already open"):
        book.open_account("assets:bank", "asset", "USD")
    with pytest.raises(LedgerError, match="type"):
        book.open_account("assets:other", "savings", "USD")
    with pytest.raises(LedgerError, match="segment"):
        book.open_account("assets::bank", "asset", "USD")


def test_posting_to_unknown_account(ledger):
    with pytest.raises(UnknownAccountError, match="open it first"):
        ledger.transfer(date(2026, 3, 3), "x", "assets:bank", "expenses:travel", eur("1"))


def test_posting_currency_must_match_account(ledger):
    with pytest.raises(CurrencyMismatchError):
        ledger.transfer(date(2026, 3, 3), "x", "assets:bank", "expenses:rent", Money("1", "USD"))


def test_balances(ledger):
    assert ledger.balance("assets:bank") == eur("1592.10")
    assert ledger.balance("income:salary") == eur("-2500")
    assert ledger.balance("expenses:rent") == eur("900")


def test_balance_includes_subaccounts(ledger):
    assert ledger.balance("expenses:food") == eur("50.00")
    assert ledger.balance("expenses:food:groceries") == eur("42.10")


def test_balance_as_of(ledger):
    assert ledger.balance("assets:bank", as_of=date(2026, 2, 28)) == eur("0")
    assert ledger.balance("assets:bank", as_of=date(2026, 3, 4)) == eur("1600")


def test_trial_balance_sums_to_zero(ledger):
    trial = ledger.trial_balance()
    assert trial["expenses:food"] == eur("7.90")
    assert sum(trial.values(), eur("0")) == eur("0")
    assert ledger.trial_balance(as_of=date(2026, 3, 3))["assets:cash"] == eur("0")


def test_transactions_in_date_order(ledger):
    ledger.transfer(date(2026, 2, 27), "Earlier", "assets:cash", "expenses:rent", eur("1"))
    payees = [t.payee for t in ledger.transactions()]
    assert payees == ["Earlier", "ACME payroll", "Landlord", "Market", "Cafe"]


def test_transactions_filtered(ledger):
    assert [t.payee for t in ledger.transactions(start=date(2026, 3, 2), end=date(2026, 3, 5))] == [
        "Landlord", "Market"]
    assert [t.payee for t in ledger.transactions(account="expenses:food")] == ["Market", "Cafe"]
    with pytest.raises(UnknownAccountError):
        ledger.transactions(account="nope")


def test_balance_as_of_includes_that_day(ledger):
    assert ledger.balance("assets:bank", as_of=date(2026, 3, 1)) == eur("2500")
    assert ledger.balance("assets:bank", as_of=date(2026, 3, 2)) == eur("1600")
    assert ledger.balance("expenses:food", as_of=date(2026, 3, 9)) == eur("50.00")


def test_trial_balance_as_of_includes_that_day(ledger):
    trial = ledger.trial_balance(as_of=date(2026, 3, 5))
    assert trial["assets:cash"] == eur("-42.10")
    assert trial["expenses:food:groceries"] == eur("42.10")
