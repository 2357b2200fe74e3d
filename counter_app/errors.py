"""Errors the clerk is meant to read, kept apart from programming errors.

A ``KnownError`` carries a Vietnamese message that the UI and CLI show as-is; anything else
is a bug and gets a crash report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class KnownError(Exception):
    """An expected failure with a message for the clerk (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(KnownError):
    """The dossier, procedure or file asked for does not exist."""


class ConfigurationError(KnownError):
    """The installation is not set up (or set up wrongly) for this action."""


class StorageError(KnownError):
    """The database cannot be used: locked, full disk, newer than the app, corrupt."""


class ValidationError(KnownError):
    """One or more fields were refused. ``fields`` maps field name -> Vietnamese message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = dict(fields)
        super().__init__("; ".join(self.fields.values()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})

    @classmethod
    def merge(cls, errors: Iterable[ValidationError]) -> ValidationError:
        merged: dict[str, str] = {}
        for err in errors:
            for key, msg in err.fields.items():
                merged.setdefault(key, msg)
        return cls(merged)


class ConflictError(KnownError):
    """The action does not fit the dossier as it is now: an illegal status change, a second
    return, a second apology. Nothing was changed."""
