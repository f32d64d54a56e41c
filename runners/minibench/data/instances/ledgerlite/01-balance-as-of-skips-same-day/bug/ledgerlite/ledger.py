"""A small double-entry ledger: accounts, balanced transactions, balances."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Sequence

from ledgerlite.currency import get_currency
from ledgerlite.dates import parse_date
from ledgerlite.errors import (
    CurrencyMismatchError,
    LedgerError,
    UnbalancedTransactionError,
    UnknownAccountError,
)
from ledgerlite.money import Money

ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")


@dataclass(frozen=True)
class Account:
    name: str  # colon-separated hierarchy, e.g. "expenses:food:groceries"
    type: str
    currency: str


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Money


@dataclass(frozen=True)
class Transaction:
    date: date
    payee: str
    postings: tuple[Posting, ...]
    memo: str = field(default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", parse_date(self.date))
        object.__setattr__(self, "postings", tuple(self.postings))
        if len(self.postings) < 2:
            raise UnbalancedTransactionError(
                f"transaction {self.payee!r} needs at least two postings, got {len(self.postings)}"
            )
        totals: dict[str, Decimal] = {}
        for posting in self.postings:
            code = posting.amount.currency
            totals[code] = totals.get(code, Decimal(0)) + posting.amount.amount
        off = {code: total for code, total in totals.items() if total != 0}
        if off:
            detail = ", ".join(f"{total} {code}" for code, total in sorted(off.items()))
            raise UnbalancedTransactionError(
                f"transaction {self.payee!r} on {self.date} does not balance: off by {detail}"
            )


def is_subaccount(name: str, parent: str) -> bool:
    """True if `name` is `parent` itself or lies below it in the hierarchy."""
    return name == parent or name.startswith(parent + ":")


def _check_account_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise LedgerError(f"account name must be a non-empty string, got {name!r}")
    if any(not part or part != part.strip() for part in name.split(":")):
        raise LedgerError(f"account name {name!r} has an empty or padded segment")
    return name


class Ledger:
    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._transactions: list[Transaction] = []

    # accounts --------------------------------------------------------------------

    def open_account(self, name: str, type: str, currency: str) -> Account:
        _check_account_name(name)
        if type not in ACCOUNT_TYPES:
            raise LedgerError(f"unknown account type {type!r}; use one of: {', '.join(ACCOUNT_TYPES)}")
        if name in self._accounts:
            raise LedgerError(f"account {name!r} is already open")
        account = Account(name, type, get_currency(currency).code)
        self._accounts[name] = account
        return account

    def account(self, name: str) -> Account:
        try:
            return self._accounts[name]
        except KeyError:
            raise UnknownAccountError(f"no account named {name!r}; open it first") from None

    @property
    def accounts(self) -> tuple[Account, ...]:
        return tuple(self._accounts.values())

    # transactions ----------------------------------------------------------------

    def post(self, transaction: Transaction) -> Transaction:
        for posting in transaction.postings:
            account = self.account(posting.account)
            if posting.amount.currency != account.currency:
                raise CurrencyMismatchError(
                    f"account {account.name!r} is in {account.currency}, "
                    f"posting is in {posting.amount.currency}"
                )
        self._transactions.append(transaction)
        return transaction

    def record(
        self, on: date | str, payee: str, postings: Sequence[tuple[str, Money]], memo: str = ""
    ) -> Transaction:
        """Build and post a transaction from (account, amount) pairs."""
        entries = tuple(Posting(account, amount) for account, amount in postings)
        return self.post(Transaction(parse_date(on), payee, entries, memo))

    def transfer(
        self, on: date | str, payee: str, source: str, target: str, amount: Money
    ) -> Transaction:
        """Move `amount` from source to target (target debited, source credited)."""
        return self.record(on, payee, [(target, amount), (source, -amount)])

    def transactions(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        account: str | None = None,
    ) -> list[Transaction]:
        """Transactions in date order (ties keep posting order), start and end inclusive,
        optionally only those touching `account` or one of its subaccounts."""
        if account is not None:
            self.account(account)
        selected = []
        for txn in sorted(self._transactions, key=lambda t: t.date):
            if start is not None and txn.date < start:
                continue
            if end is not None and txn.date > end:
                continue
            if account is not None and not any(
                is_subaccount(p.account, account) for p in txn.postings
            ):
                continue
            selected.append(txn)
        return selected

    # balances --------------------------------------------------------------------

    def _postings(self, as_of: date | None) -> Iterable[Posting]:
        for txn in self._transactions:
            if as_of is not None and txn.date >= as_of:
                continue
            yield from txn.postings

    def balance(self, name: str, *, as_of: date | None = None) -> Money:
        """Sum of postings to `name` and its subaccounts up to and including as_of."""
        account = self.account(name)
        total = Money.zero(account.currency)
        for posting in self._postings(as_of):
            if is_subaccount(posting.account, name):
                total = total + posting.amount
        return total

    def trial_balance(self, *, as_of: date | None = None) -> dict[str, Money]:
        """Each account's own balance (without subaccounts), by account name."""
        result = {name: Money.zero(acc.currency) for name, acc in self._accounts.items()}
        for posting in self._postings(as_of):
            result[posting.account] = result[posting.account] + posting.amount
        return result
