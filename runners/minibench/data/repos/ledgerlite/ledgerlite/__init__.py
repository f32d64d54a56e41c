"""ledgerlite: Decimal money, a small double-entry ledger, schedules and business dates."""

from ledgerlite.currency import Currency, get_currency
from ledgerlite.errors import (CsvFormatError, CurrencyMismatchError, DateError, InvalidAmountError,
                               LedgerError, UnbalancedTransactionError, UnknownAccountError,
                               UnknownCurrencyError)
from ledgerlite.ledger import Account, Ledger, Posting, Transaction
from ledgerlite.money import Money

__all__ = ["Account", "CsvFormatError", "Currency", "CurrencyMismatchError", "DateError",
           "InvalidAmountError", "Ledger", "LedgerError", "Money", "Posting", "Transaction",
           "UnbalancedTransactionError", "UnknownAccountError", "UnknownCurrencyError",
           "get_currency"]
__version__ = "1.0.0"
