"""The working-memory editor: ``/resources/<id>/memory/`` and ``/threads/<id>/memory/``.

One view per scope serves the page (GET), the live preview of a draft (htmx POST, action
``review``: only the ``draft-panels`` partial, no store call) and the writes (POST ``save`` /
``restore``). A write is a compare-and-set on the version the page was loaded from, recorded in the
audit log as pending before the store call and completed after it. Someone else's change in between
answers 409 with a three-way conflict view; the draft is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from dashboard.audit.history import HistoryEntry, event_of_target, recent_history, text_of_version
from dashboard.audit.models import Action, AuditEvent, Outcome
from dashboard.core.rendering import render_untrusted_markdown
from dashboard.core.store import get_store
from dashboard.core.store_errors import StoreErrorInfo, describe_store_error, is_partial_request, redact
from dashboard.working_memory.diffs import Diff, line_diff
from dashboard.working_memory.rules import Mode, detect_mode, editable_text, format_size, json_value
from storeclient.errors import ConflictError, InvalidRequest, StorageError, StoreError
from storeclient.interface import Store
from storeclient.models import MemoryVersion, Resource, Thread

from .editing import MAX_WORKING_MEMORY_BYTES, Draft, check_draft, same_memory
from .forms import MemoryEditForm, encode_base

logger = logging.getLogger(__name__)

EDIT_PERMISSION = "accounts.edit_working_memory"
#: History entries shown on the editor page (the audit log has them all).
HISTORY_LIMIT = 20

Record = Resource | Thread


@dataclass(frozen=True)
class Scope:
    name: Literal["resource", "thread"]
    label: str
    load: Callable[[Store, str], Record | None]
    save: Callable[[Store, str, str, MemoryVersion], Record]


RESOURCE = Scope(
    "resource",
    "Resource",
    lambda store, rid: store.memory.get_resource_by_id(rid),
    lambda store, rid, text, expected: store.memory.save_resource_working_memory(
        rid, text, expected=expected
    ),
)
THREAD = Scope(
    "thread",
    "Thread",
    lambda store, tid: store.memory.get_thread_by_id(tid),
    lambda store, tid, text, expected: store.memory.save_thread_working_memory(tid, text, expected=expected),
)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def resource_memory(request: HttpRequest, resource_id: str) -> HttpResponse:
    return _editor(request, RESOURCE, resource_id)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def thread_memory(request: HttpRequest, thread_id: str) -> HttpResponse:
    return _editor(request, THREAD, thread_id)


# --- page state ----------------------------------------------------------------------------------


@dataclass
class Conflict:
    """Three versions: what the editor started from, what is stored now, and the draft."""

    base: str | None
    theirs: str
    mine: str
    theirs_changes: Diff | None
    my_changes: Diff | None
    #: theirs -> mine: what saving the draft now would do.
    resolution: Diff


@dataclass
class EditorPage:
    scope: Scope
    target_id: str
    record: Record | None
    can_edit: bool
    atomic_saves: bool = True
    mode: Mode = "markdown"
    #: The version the form saves against, and its text.
    version_token: str = ""
    base_text: str = ""
    draft_text: str = ""
    draft: Draft | None = None
    diff: Diff | None = None
    preview: SafeString | None = None
    conflict: Conflict | None = None
    notice: str = ""
    error: str = ""
    store_error: StoreErrorInfo | None = None
    gone: bool = False
    history: list[HistoryEntry] = field(default_factory=list)
    #: Why this record's memory cannot be edited here at all (e.g. thread metadata is not an object).
    not_editable: str = ""

    @property
    def base_json(self) -> str:
        return encode_base(self.base_text)

    @property
    def max_bytes(self) -> int:
        return MAX_WORKING_MEMORY_BYTES

    @property
    def max_label(self) -> str:
        return format_size(MAX_WORKING_MEMORY_BYTES)

    @property
    def stored(self) -> str | None:
        return self.record.working_memory if self.record is not None else None

    @property
    def stored_text(self) -> str:
        return editable_text(self.stored, self.mode)

    @property
    def stored_preview(self) -> SafeString:
        return render_untrusted_markdown(self.stored)

    @property
    def stored_json(self) -> Any:
        return json_value(self.stored) if self.mode == "json" else None

    @property
    def thread(self) -> Thread | None:
        return self.record if isinstance(self.record, Thread) else None

    @property
    def show_editor(self) -> bool:
        return self.can_edit and not self.gone and not self.not_editable


def _not_editable(record: Record) -> str:
    if isinstance(record, Thread) and not isinstance(record.metadata, dict):
        return (
            "This thread's metadata is not a JSON object (a legacy row), so its working memory cannot "
            "be set without losing that metadata. Fix the row in the store first."
        )
    return ""


def _fill_draft(page: EditorPage, draft_text: str) -> None:
    """Check the draft and compute what the panels next to the textarea show."""
    draft = check_draft(draft_text, page.mode)
    page.draft_text = draft.text
    page.draft = draft
    if draft.too_large:
        # It cannot be saved; rendering a megabyte of preview and diff on every keystroke helps no one.
        return
    if page.mode == "markdown":
        page.preview = render_untrusted_markdown(draft.text)
    shown = editable_text(draft.value, "json") if page.mode == "json" and draft.ok else draft.text
    page.diff = line_diff(
        editable_text(page.base_text, page.mode),
        shown,
        old_label="stored" if not page.conflict else "now stored (theirs)",
        new_label="your draft",
    )


# --- the view ------------------------------------------------------------------------------------


def _editor(request: HttpRequest, scope: Scope, target_id: str) -> HttpResponse:
    can_edit = request.user.has_perm(EDIT_PERMISSION)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Editing working memory needs the editor role.")
        return _post(request, scope, target_id)

    store = get_store()
    record = scope.load(store, target_id)
    if record is None:
        raise Http404(f"No {scope.name} {target_id}.")
    page = _page_for(store, scope, target_id, record, can_edit)
    if page.show_editor:
        _fill_draft(page, page.stored_text)
    return _render(request, page)


def _page_for(store: Store, scope: Scope, target_id: str, record: Record, can_edit: bool) -> EditorPage:
    stored = record.working_memory
    return EditorPage(
        scope=scope,
        target_id=target_id,
        record=record,
        can_edit=can_edit,
        atomic_saves=store.atomic_saves,
        mode=detect_mode(stored),
        version_token=record.memory_version.token(),
        base_text=stored or "",
        not_editable=_not_editable(record),
    )


def _post(request: HttpRequest, scope: Scope, target_id: str) -> HttpResponse:
    form = MemoryEditForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, scope, target_id, form, " ".join(_form_errors(form)), status=400)
    data = form.cleaned_data
    version: MemoryVersion | None = data["version"]
    base: str | None = data["base"] if data["base_verified"] else None

    if data["action"] == "review":
        # The live preview: everything comes from the form, so a keystroke costs no store call.
        page = EditorPage(scope, target_id, None, can_edit=True)
        page.base_text = base or ""
        page.mode = detect_mode(base)
        page.version_token = version.token() if version else ""
        _fill_draft(page, data["draft"])
        if is_partial_request(request):
            return render(request, "memory_editor/editor.html#draft-panels", {"page": page})
        return _redisplay(request, scope, target_id, form, "", status=200)

    if version is None:
        # Without the version it started from, a save could silently overwrite someone else's edit.
        return _redisplay(
            request,
            scope,
            target_id,
            form,
            "This form has no version marker, so it could overwrite someone else's change. "
            "Reload the page and make your change again.",
            status=428,
        )

    if data["action"] == "restore":
        event = event_of_target(scope.name, target_id, data["restore_event"])
        if event is None:
            raise Http404("That history entry is not part of this working memory's history.")
        text = event.before if data["restore_side"] == "before" else event.after
        return _save(request, scope, target_id, form, text, Action.WORKING_MEMORY_RESTORE, restored=event)
    return _save(request, scope, target_id, form, data["draft"], Action.WORKING_MEMORY_SAVE)


def _save(
    request: HttpRequest,
    scope: Scope,
    target_id: str,
    form: MemoryEditForm,
    text: str,
    action: str,
    *,
    restored: AuditEvent | None = None,
) -> HttpResponse:
    data = form.cleaned_data
    version: MemoryVersion = data["version"]
    base: str | None = data["base"] if data["base_verified"] else None
    # A restore puts back an exact earlier value, in whatever shape it had; a save is checked
    # against the mode of the version it edits (or, if the form lost that, the draft's own shape).
    mode = detect_mode(text) if restored or base is None else detect_mode(base)
    draft = check_draft(text, mode)
    if not draft.ok:
        status = 413 if draft.too_large else 422
        return _redisplay(request, scope, target_id, form, "", status=status, draft_text=text)
    if base is not None and same_memory(base, draft):
        messages.info(request, "No changes to save: the draft is the stored version.")
        return HttpResponseRedirect(request.path, status=303)

    store = get_store()
    event = AuditEvent.start(
        request.user,
        action,
        scope.name,
        target_id,
        before=base if base is not None else "",
        after=draft.value,
        base_version=version.token(),
    )
    try:
        record = scope.save(store, target_id, draft.value, version)
    except ConflictError as exc:
        return _conflict(request, store, scope, target_id, event, exc, base, draft)
    except (StorageError, InvalidRequest) as exc:
        if isinstance(exc, StorageError) and exc.code == "THREAD_NOT_FOUND":
            event.finish(Outcome.FAILED, error=redact(exc.message))
            return _gone(request, store, scope, target_id, draft)
        return _failed(request, store, scope, target_id, event, exc, base, draft, version)
    except StoreError as exc:
        return _failed(request, store, scope, target_id, event, exc, base, draft, version)
    except BaseException as exc:
        # Not a store answer (a bug, an interrupted worker): whether the write landed is unknown.
        event.finish(Outcome.UNKNOWN, error=f"The save was interrupted ({type(exc).__name__}).")
        raise
    event.finish(Outcome.APPLIED, result_version=record.memory_version.token())
    logger.info(
        "%s working memory of %s %s by %s (%s)",
        "Restored" if restored else "Saved",
        scope.name,
        target_id,
        request.user.get_username(),
        format_size(draft.size),
    )
    if restored:
        messages.success(
            request,
            f"Restored the version from {restored.created_at:%Y-%m-%d %H:%M} UTC (audit #{event.pk}).",
        )
    else:
        messages.success(request, "Saved. The agent sees the new working memory on its next turn.")
    return HttpResponseRedirect(request.path, status=303)


def _conflict(
    request: HttpRequest,
    store: Store,
    scope: Scope,
    target_id: str,
    event: AuditEvent,
    exc: ConflictError,
    base: str | None,
    draft: Draft,
) -> HttpResponse:
    current: Record | None = exc.current
    if current is None:
        event.finish(Outcome.CONFLICT, error=f"The {scope.name} no longer exists.")
        return _gone(request, store, scope, target_id, draft)
    theirs = current.working_memory or ""
    if theirs == draft.value:
        # The stored value is already this draft (an earlier attempt that timed out did land, or a
        # teammate typed the same fix): nothing to write, nothing to resolve.
        event.finish(
            Outcome.CONFLICT, error="The stored value already equals this text; nothing was written."
        )
        messages.info(request, "Your text is already the stored version; nothing was written.")
        return HttpResponseRedirect(request.path, status=303)
    event.finish(Outcome.CONFLICT, error=redact(exc.message))
    logger.info("Working memory conflict on %s %s (audit #%s)", scope.name, target_id, event.pk)

    if base is None:
        base = text_of_version(scope.name, target_id, event.base_version)
    page = _page_for(store, scope, target_id, current, can_edit=True)
    mode = page.mode
    shown_base = editable_text(base, mode) if base is not None else None
    shown_theirs = editable_text(theirs, mode)
    shown_mine = editable_text(draft.value, mode) if draft.mode == "json" else draft.text
    page.conflict = Conflict(
        base=shown_base,
        theirs=shown_theirs,
        mine=shown_mine,
        theirs_changes=line_diff(shown_base, shown_theirs, old_label="you started from", new_label="theirs")
        if shown_base is not None
        else None,
        my_changes=line_diff(shown_base, shown_mine, old_label="you started from", new_label="yours")
        if shown_base is not None
        else None,
        resolution=line_diff(shown_theirs, shown_mine, old_label="theirs (stored)", new_label="yours"),
    )
    _fill_draft(page, shown_mine)
    return _render(request, page, status=409)


def _failed(
    request: HttpRequest,
    store: Store,
    scope: Scope,
    target_id: str,
    event: AuditEvent,
    exc: StoreError,
    base: str | None,
    draft: Draft,
    version: MemoryVersion,
) -> HttpResponse:
    info = describe_store_error(exc)
    event.finish(Outcome.FAILED, error=info.message)
    logger.warning(
        "Working memory save of %s %s failed (%s, audit #%s): %s",
        scope.name,
        target_id,
        type(exc).__name__,
        event.pk,
        info.message,
    )
    # The store just failed; render from what the form carried rather than asking it again.
    page = EditorPage(scope, target_id, None, can_edit=True, atomic_saves=True)
    page.mode = draft.mode
    page.base_text = base or ""
    page.version_token = version.token()
    page.store_error = info
    page.error = (
        "Your change was not confirmed by the store. Your draft is still below: check the panel, "
        "then save again (if it did land meanwhile, saving again says so instead of writing twice)."
    )
    _fill_draft(page, draft.text)
    page.history = recent_history(scope.name, target_id, HISTORY_LIMIT)
    return _render(request, page, status=info.status)


def _gone(request: HttpRequest, store: Store, scope: Scope, target_id: str, draft: Draft) -> HttpResponse:
    page = EditorPage(scope, target_id, None, can_edit=True, gone=True)
    page.mode = draft.mode
    page.draft_text = draft.text
    page.error = (
        f"This {scope.name} no longer exists, so nothing was saved (and nothing was re-created). "
        "Your draft is below if you want to copy it."
    )
    page.history = recent_history(scope.name, target_id, HISTORY_LIMIT)
    return _render(request, page, status=404)


def _redisplay(
    request: HttpRequest,
    scope: Scope,
    target_id: str,
    form: MemoryEditForm,
    error: str,
    *,
    status: int,
    draft_text: str | None = None,
) -> HttpResponse:
    """The page again with the draft as typed and why it was not saved (no store write)."""
    store = get_store()
    record = scope.load(store, target_id)
    if record is None:
        raise Http404(f"No {scope.name} {target_id}.")
    page = _page_for(store, scope, target_id, record, can_edit=True)
    data = getattr(form, "cleaned_data", {}) or {}
    # Keep the version and base the editor started from: the draft is still an edit of them.
    if data.get("version") is not None and data.get("base_verified"):
        page.version_token = data["version"].token()
        page.base_text = data["base"]
        page.mode = detect_mode(page.base_text)
    page.error = error
    _fill_draft(
        page, draft_text if draft_text is not None else data.get("draft", request.POST.get("draft", ""))
    )
    return _render(request, page, status=status)


def _form_errors(form: MemoryEditForm) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _render(request: HttpRequest, page: EditorPage, *, status: int = 200) -> HttpResponse:
    if not page.history and not page.gone:
        page.history = recent_history(page.scope.name, page.target_id, HISTORY_LIMIT)
    return render(request, "memory_editor/editor.html", {"page": page}, status=status)
