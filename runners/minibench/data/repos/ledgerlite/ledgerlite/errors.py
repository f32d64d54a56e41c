"""Exceptions raised by ledgerlite. Every one derives from LedgerError."""


class LedgerError(Exception):
    """Base class for every error raised by ledgerlite."""


class UnknownCurrencyError(LedgerError, ValueError):
    """A currency code is not in the currency table."""


class CurrencyMismatchError(LedgerError, ValueError):
    """Two amounts in different currencies were combined."""


class InvalidAmountError(LedgerError, ValueError):
    """An amount could not be read as a decimal number."""


class DateError(LedgerError, ValueError):
    """A date could not be parsed or a date argument is out of range."""


class UnknownAccountError(LedgerError, KeyError):
    """A posting or query names an account that was never opened."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnbalancedTransactionError(LedgerError, ValueError):
    """The postings of a transaction do not sum to zero in every currency."""


class CsvFormatError(LedgerError, ValueError):
    """A CSV file of transactions is malformed."""
