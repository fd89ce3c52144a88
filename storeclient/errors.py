"""The one error hierarchy every store raises.

Each error carries a message a person can act on: what went wrong, and what to check. None of them
ever includes the admin key (the transport scrubs it from anything it quotes).
"""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """Base class: anything that went wrong talking to a store."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: Extra technical text (server message, status code) for logs and an expandable panel.
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class AuthError(StoreError):
    """The backend refused our credentials (HTTP 401/403): wrong or revoked admin key."""


class NotDeployedError(StoreError):
    """The function we called does not exist on the deployment (not deployed, or another path)."""

    def __init__(self, message: str, *, function_path: str, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.function_path = function_path


class ConflictError(StoreError):
    """A conditional write found a different stored version than the caller started from.

    ``current`` is the stored value right now (a ``Resource`` or ``Thread``), so the caller can show
    a three-way view and retry; nothing was written.
    """

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message)
        self.current = current


class LimitError(StoreError):
    """The backend refused the call because it would read or write too much (Convex limits)."""


class BackendUnavailable(StoreError):
    """Network failure, timeout, 5xx or a reply we could not understand: the backend is not usable now.

    ``may_have_reached_store`` says whether the request may have been taken by the store before the
    failure (a read timeout after it was sent, a reply cut off or unreadable): for a write, whether it
    landed is then unknown, and the caller should re-read rather than report it as not written.
    ``False`` means it never left (the connection could not be made, the file stayed locked).
    """

    def __init__(
        self, message: str, *, detail: str | None = None, may_have_reached_store: bool = False
    ) -> None:
        super().__init__(message, detail=detail)
        self.may_have_reached_store = may_have_reached_store


class StorageError(StoreError):
    """The storage handler answered but reported a failure (Mastra's ``{ok: false}`` or a thrown error)."""

    def __init__(self, message: str, *, code: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.code = code


class NotFoundError(StorageError):
    """The record an update or save names does not exist (deleted meanwhile, or a wrong id).

    ``kind`` says what was missing (``"thread"``, ``"resource"``, ``"run"``) and ``record_id`` which one;
    nothing was written. A subclass of ``StorageError`` so callers that only know storage failures
    still catch it.
    """

    def __init__(self, message: str, *, kind: str, record_id: str) -> None:
        super().__init__(message, code=f"{kind.upper()}_NOT_FOUND")
        self.kind = kind
        self.record_id = record_id


class MalformedRecordError(StorageError):
    """A stored record cannot take the change without losing data it holds, e.g. a thread whose
    metadata is not a JSON object (a malformed legacy string) cannot have working memory merged
    into it. Nothing was written; the record has to be repaired first.

    ``kind`` and ``record_id`` name the record, ``field`` the part that is malformed.
    """

    def __init__(self, message: str, *, kind: str, record_id: str, field: str) -> None:
        super().__init__(message, code=f"{kind.upper()}_{field.upper()}_MALFORMED")
        self.kind = kind
        self.record_id = record_id
        self.field = field

    @classmethod
    def metadata_not_an_object(cls, kind: str, record_id: str) -> MalformedRecordError:
        """The one wording every store uses when working memory cannot go into the metadata."""
        return cls(
            f"{kind.capitalize()} {record_id} has metadata that is not a JSON object, so its working "
            "memory cannot be set without losing it; nothing was saved.",
            kind=kind,
            record_id=record_id,
            field="metadata",
        )


class InvalidRequest(StoreError):
    """The caller asked for something invalid (bad page number, empty id, oversized value).

    Raised before anything is sent, so nothing changed.
    """
