"""The working-memory editor: ``/resources/<id>/memory/`` and ``/threads/<id>/memory/``.

One view per scope serves the page (GET), the live preview of a draft (htmx POST, action
``review``: only the ``draft-panels`` partial, no store call) and the writes (POST ``save`` /
``restore``, run by ``saving.MemorySave``; a restore first answers a preview of what it would
change, and writes only once confirmed). Someone else's change since the page was loaded answers
409 with a three-way conflict view; the draft is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, assert_never

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from dashboard.audit.history import HistoryEntry, event_of_target, recent_history
from dashboard.core.htmx import SWAP_ERROR_HEADER, BadQuery, read_query
from dashboard.core.rendering import render_untrusted_markdown
from dashboard.core.store import get_store
from dashboard.core.store_errors import StoreErrorInfo, is_partial_request
from dashboard.working_memory.diffs import Diff, line_diff
from dashboard.working_memory.merges import Merge, merge_working_memory
from dashboard.working_memory.rules import Mode, detect_mode, editable_text, format_size, json_value
from storeclient.models import Thread

from .editing import Draft, check_draft, max_working_memory_bytes
from .forms import MemoryEditForm, TimelineQuery, encode_base
from .saving import (
    RESOURCE,
    THREAD,
    Applied,
    Conflict,
    Failed,
    Gone,
    MemorySave,
    Record,
    SaveOutcome,
    Scope,
    Target,
    Unknown,
)
from .timeline import Timeline, Version, build_timeline, line_origins

EDIT_PERMISSION = "accounts.edit_working_memory"
#: History entries shown on the editor page (the audit log has them all).
HISTORY_LIMIT = 20


# csrf_exempt only defers the check: CsrfViewMiddleware reads the body to find the token, and a body
# over DATA_UPLOAD_MAX_MEMORY_SIZE then ends as Django's bare "Bad Request (400)". ``_editor`` checks
# the size first and runs every POST it reads through ``csrf_protect``.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def resource_memory(request: HttpRequest, resource_id: str) -> HttpResponse:
    return _editor(request, Target(RESOURCE, resource_id))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def thread_memory(request: HttpRequest, thread_id: str) -> HttpResponse:
    return _editor(request, Target(THREAD, thread_id))


# --- page state ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """The version a page's edit starts from: the token the form saves against, its text, and the
    mode the draft is edited in."""

    version_token: str = ""
    text: str = ""
    mode: Mode = "markdown"

    @classmethod
    def of(cls, record: Record) -> Basis:
        stored = record.working_memory
        return cls(record.memory_version.token(), stored or "", detect_mode(stored))


@dataclass(frozen=True)
class ConflictView:
    """Three versions (what the editor started from, what is stored now, and the draft), the merge
    of both edits when they do not overlap, and what each way out would write.

    ``started`` is the version the edit started from: the editor form stays tied to it, so its plain
    Save can only conflict again; keeping both edits (the merge) or overwriting theirs is a choice
    the person makes with its own button.
    """

    base: str | None
    theirs: str
    mine: str
    theirs_changes: Diff | None
    my_changes: Diff | None
    #: theirs -> mine: what overwriting theirs with the draft would do.
    resolution: Diff
    merge: Merge
    #: theirs -> the merge: what saving the merge would do.
    merge_changes: Diff | None
    started: Basis

    @property
    def started_base_json(self) -> str:
        return encode_base(self.started.text)

    @classmethod
    def between(cls, base: str | None, theirs: str, mine: str, mode: Mode, started: Basis) -> ConflictView:
        def from_base(text: str, label: str) -> Diff | None:
            if base is None:
                return None
            return line_diff(base, text, old_label="you started from", new_label=label)

        if base is None:
            merge = Merge(None, ("what you started from is not known, so no merge can be made",))
        else:
            merge = merge_working_memory(base, theirs, mine, mode)
        merge_changes = None
        if merge.text is not None:
            merge_changes = line_diff(theirs, merge.text, old_label="theirs (stored)", new_label="the merge")
        return cls(
            base,
            theirs,
            mine,
            theirs_changes=from_base(theirs, "theirs"),
            my_changes=from_base(mine, "yours"),
            resolution=line_diff(theirs, mine, old_label="theirs (stored)", new_label="yours"),
            merge=merge,
            merge_changes=merge_changes,
            started=started,
        )


@dataclass(frozen=True)
class RestorePreview:
    """What restoring an earlier version would change in the stored memory, before it is written."""

    #: Which version, as the page names it ("the version from 2026-11-30 14:02 UTC", "agent turn …").
    label: str
    #: The form fields that name the version again in the confirming POST.
    fields: dict[str, str]
    diff: Diff
    changes_nothing: bool


@dataclass
class EditorPage:
    target: Target
    basis: Basis
    #: The largest draft this store takes, in UTF-8 bytes.
    max_bytes: int
    can_edit: bool
    #: What the store holds now, when this request read it.
    record: Record | None = None
    atomic_saves: bool = True
    #: Why this record's memory cannot be edited here at all (e.g. thread metadata is not an object).
    not_editable: str = ""
    draft_text: str = ""
    draft: Draft | None = None
    diff: Diff | None = None
    preview: SafeString | None = None
    conflict: ConflictView | None = None
    error: str = ""
    store_error: StoreErrorInfo | None = None
    gone: bool = False
    history: list[HistoryEntry] = field(default_factory=list)
    #: Why a POST was not read at all (its body was over the server's limit).
    request_too_large: str = ""
    #: The draft's diff is against a version someone else stored after a conflict (the live preview
    #: of a draft being resolved).
    against_theirs: bool = False
    restore_preview: RestorePreview | None = None

    @property
    def scope(self) -> Scope:
        return self.target.scope

    @property
    def target_id(self) -> str:
        return self.target.id

    @property
    def mode(self) -> Mode:
        return self.basis.mode

    @property
    def version_token(self) -> str:
        return self.basis.version_token

    @property
    def base_json(self) -> str:
        return encode_base(self.basis.text)

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
    def max_request_bytes(self) -> int:
        return max_request_bytes()

    @property
    def draft_unsaved(self) -> bool:
        """The editor holds text the store does not (after a conflict or a refused save): leaving
        the page should ask first, even before anyone types."""
        return self.conflict is not None or self.record is None or self.draft_text != self.stored_text

    @property
    def show_editor(self) -> bool:
        return self.can_edit and not self.gone and not self.not_editable

    def show_draft(self, text: str) -> None:
        """Check the draft and compute what the panels next to the textarea show."""
        draft = check_draft(text, self.mode, self.max_bytes)
        self.draft_text = draft.text
        self.draft = draft
        if draft.too_large:
            # It cannot be saved; rendering a megabyte of preview and diff on every keystroke helps no one.
            return
        if self.mode == "markdown":
            self.preview = render_untrusted_markdown(draft.text)
        shown = editable_text(draft.value, "json") if self.mode == "json" and draft.ok else draft.text
        self.diff = line_diff(
            editable_text(self.basis.text, self.mode),
            shown,
            old_label="now stored (theirs)" if self.conflict or self.against_theirs else "stored",
            new_label="your draft",
        )


def _page(request: HttpRequest, target: Target, basis: Basis, record: Record | None = None) -> EditorPage:
    """The one way an editor page is put together. Without ``record`` (the live preview, or a save
    the store just failed) the page renders from what the form carried and asks the store nothing
    that could fail again."""
    store = get_store()
    return EditorPage(
        target,
        basis,
        max_bytes=_max_bytes(),
        can_edit=request.user.has_perm(EDIT_PERMISSION),
        record=record,
        atomic_saves=store.atomic_saves if record is not None else True,
        not_editable=_not_editable(record) if record is not None else "",
    )


def _max_bytes() -> int:
    return max_working_memory_bytes(get_store().max_document_bytes)


def _not_editable(record: Record) -> str:
    if isinstance(record, Thread) and not isinstance(record.metadata, dict):
        return (
            "This thread's metadata is not a JSON object (a legacy row), so its working memory cannot "
            "be set without losing that metadata. Fix the row in the store first."
        )
    return ""


def _form_basis(data: dict[str, Any]) -> Basis:
    """The basis the form carried: its version marker, and the base text if its hash proved it."""
    version = data.get("version")
    base: str | None = data["base"] if data.get("base_verified") else None
    return Basis(version.token() if version is not None else "", base or "", detect_mode(base))


@dataclass(frozen=True)
class Refusal:
    """A POST that writes nothing and shows the page again: its status, why (unless the draft's own
    checks say it), and the text for the editor (the form's draft unless given)."""

    status: int
    error: str = ""
    text: str | None = None


# --- the view ------------------------------------------------------------------------------------


def _editor(request: HttpRequest, target: Target) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm(EDIT_PERMISSION):
            raise PermissionDenied("Editing working memory needs the editor role.")
        if _body_too_large(request):
            return _too_large(request, target)
        return _checked_post(request, target)
    record = _load(target)
    page = _page(request, target, Basis.of(record), record)
    if page.show_editor:
        page.show_draft(page.stored_text)
    return _render(request, page)


def _load(target: Target) -> Record:
    record = target.load(get_store())
    if record is None:
        raise Http404(f"No {target.scope.name} {target.id}.")
    return record


def max_request_bytes() -> int:
    """The largest request body Django reads (``DATA_UPLOAD_MAX_MEMORY_SIZE``; ``None`` is no limit)."""
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit if limit is not None else 0


def _body_too_large(request: HttpRequest) -> bool:
    limit = max_request_bytes()
    length = request.META.get("CONTENT_LENGTH") or ""
    return bool(limit) and length.isdigit() and int(length) > limit


def _too_large(request: HttpRequest, target: Target) -> HttpResponse:
    """A POST whose body Django will not read: nothing in it can be shown again, not even the draft,
    so the page says so (the editor's script refuses to send such a draft in the first place)."""
    record = _load(target)
    page = _page(request, target, Basis.of(record), record)
    message = f"Your edit is larger than the {format_size(max_request_bytes())} the server accepts; nothing was saved."
    if is_partial_request(request):
        # The live preview: the draft is still in the textarea, only the panels beside it change.
        page.request_too_large = f"{message} Shorten the draft before saving."
        response = render(request, "memory_editor/editor.html#draft-panels", {"page": page}, status=413)
        response[SWAP_ERROR_HEADER] = "true"
        return response
    page.error = f"{message} Go back in your browser to get your draft, and shorten it."
    page.show_draft(page.stored_text)
    return _render(request, page, status=413)


def _post(request: HttpRequest, target: Target) -> HttpResponse:
    form = MemoryEditForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, target, form, Refusal(400, " ".join(_form_errors(form))))
    data = form.cleaned_data

    if data["action"] == "restore" and not data["confirmed"]:
        return _restore_preview(request, target, data)

    if data["action"] == "review":
        if not is_partial_request(request):
            return _redisplay(request, target, form, Refusal(200))
        # The live preview: everything comes from the form, so a keystroke costs no store call.
        if data["theirs_verified"]:
            # Resolving a conflict: the changes that matter are those to the version stored now.
            theirs = data["theirs"]
            basis = Basis(data["theirs_version"].token(), theirs, detect_mode(theirs))
            page = _page(request, target, basis)
            page.against_theirs = True
        else:
            page = _page(request, target, _form_basis(data))
        page.show_draft(data["draft"])
        return render(request, "memory_editor/editor.html#draft-panels", {"page": page})

    if data["version"] is None:
        # Without the version it started from, a save could silently overwrite someone else's edit.
        refusal = Refusal(
            428,
            "This form has no version marker, so it could overwrite someone else's change. "
            "Reload the page and make your change again.",
        )
        return _redisplay(request, target, form, refusal)

    save = MemorySave.from_post(target, data, request.user, _max_bytes(), get_store())
    if not save.draft.ok:
        status = 413 if save.draft.too_large else 422
        return _redisplay(request, target, form, Refusal(status, text=save.draft.text))
    if save.changes_nothing:
        messages.info(request, "No changes to save: the draft is the stored version.")
        return HttpResponseRedirect(request.path, status=303)
    return _respond(request, save, save.run(get_store()))


def _restore_preview(request: HttpRequest, target: Target, data: dict[str, Any]) -> HttpResponse:
    """The page with what the restore would change in the memory stored now, and a button that
    confirms it (tied to that stored version, so a change meanwhile is a conflict, not a loss).
    The version is a history entry (``restore``) or any version of the timeline (``restore_version``,
    agent writes included)."""
    record = _load(target)
    if data["restore_version"]:
        version = build_timeline(target.scope.name, target.id, record.working_memory, get_store()).find(
            data["restore_version"]
        )
        if version is None:
            raise Http404("That version is not part of this working memory's timeline.")
        text, label, fields = version.text, version.label, {"restore_version": data["restore_version"]}
    else:
        event = event_of_target(target.scope.name, target.id, data["restore_event"])
        if event is None:
            raise Http404("That history entry is not part of this working memory's history.")
        text = event.before if data["restore_side"] == "before" else event.after
        # In the reader's time zone (the preferences middleware activates it), like every timestamp.
        label = f"the version from {timezone.localtime(event.created_at):%Y-%m-%d %H:%M %Z}"
        fields = {"restore": data["restore"]}
    page = _page(request, target, Basis.of(record), record)
    mode = detect_mode(text or record.working_memory)
    page.restore_preview = RestorePreview(
        label,
        fields,
        line_diff(
            editable_text(record.working_memory, mode),
            editable_text(text, mode),
            old_label="stored now",
            new_label="after the restore",
        ),
        changes_nothing=(text or "") == (record.working_memory or ""),
    )
    if page.show_editor:
        page.show_draft(page.stored_text)
    return _render(request, page)


def _respond(request: HttpRequest, save: MemorySave, outcome: SaveOutcome) -> HttpResponse:
    match outcome:
        case Applied(event=event):
            if save.restored_version:
                messages.success(request, f"Restored version {save.restored_version} (audit #{event.pk}).")
            elif save.restored is not None:
                when = f"{save.restored.created_at:%Y-%m-%d %H:%M}"
                messages.success(request, f"Restored the version from {when} UTC (audit #{event.pk}).")
            elif save.overwrites:
                messages.success(
                    request,
                    f"Saved. Your draft replaced the version your teammate stored (audit #{event.pk}).",
                )
            else:
                messages.success(request, "Saved. The agent sees the new working memory on its next turn.")
            return HttpResponseRedirect(request.path, status=303)
        case Conflict(already_stored=True):
            messages.info(request, "Your text is already the stored version; nothing was written.")
            return HttpResponseRedirect(request.path, status=303)
        case Conflict():
            return _conflict(request, save, outcome)
        case Gone():
            return _gone(request, save)
        case Failed(error=info):
            return _failed(request, save, info, FAILED_MESSAGE)
        case Unknown(error=info):
            return _failed(request, save, info, UNKNOWN_MESSAGE)
        case _:
            assert_never(outcome)


def _conflict(request: HttpRequest, save: MemorySave, conflict: Conflict) -> HttpResponse:
    page = _page(request, save.target, Basis.of(conflict.current), conflict.current)
    mode = page.mode
    mine = editable_text(save.draft.value, mode) if save.draft.mode == "json" else save.draft.text
    page.conflict = ConflictView.between(
        editable_text(conflict.base, mode) if conflict.base is not None else None,
        editable_text(conflict.current.working_memory or "", mode),
        mine,
        mode,
        started=Basis(save.version.token(), conflict.base or "", mode),
    )
    page.show_draft(mine)
    return _render(request, page, status=409)


FAILED_MESSAGE = (
    "Your change was not confirmed by the store. Your draft is still below: check the panel, "
    "then save again (if it did land meanwhile, saving again says so instead of writing twice)."
)
UNKNOWN_MESSAGE = (
    "The store did not answer; the change may or may not have been saved — reload to check. "
    "Your draft is still below; saving it again is safe (if the first attempt did land, it says so "
    "instead of writing twice)."
)


def _failed(request: HttpRequest, save: MemorySave, info: StoreErrorInfo, message: str) -> HttpResponse:
    page = _page(request, save.target, _save_basis(save))
    page.store_error = info
    page.error = message
    page.show_draft(save.draft.text)
    return _render(request, page, status=info.status)


def _gone(request: HttpRequest, save: MemorySave) -> HttpResponse:
    page = _page(request, save.target, _save_basis(save))
    page.gone = True
    page.draft_text = save.draft.text
    page.error = (
        f"This {save.target.scope.name} no longer exists, so nothing was saved (and nothing was "
        "re-created). Your draft is below if you want to copy it."
    )
    return _render(request, page, status=404)


def _save_basis(save: MemorySave) -> Basis:
    """What a page after a failed write edits: the version the save was tied to, in its draft's mode."""
    return Basis(save.version.token(), save.base or "", save.draft.mode)


def _redisplay(request: HttpRequest, target: Target, form: MemoryEditForm, refusal: Refusal) -> HttpResponse:
    """The page again with the draft as typed and why it was not saved (no store write)."""
    record = _load(target)
    data = form.cleaned_data
    # Keep the version and base the editor started from: the draft is still an edit of them.
    basis = _form_basis(data) if data.get("base_verified") else Basis.of(record)
    page = _page(request, target, basis, record)
    page.error = refusal.error
    page.show_draft(refusal.text if refusal.text is not None else data.get("draft", ""))
    return _render(request, page, status=refusal.status)


_checked_post = csrf_protect(_post)


def _form_errors(form: MemoryEditForm) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _render(request: HttpRequest, page: EditorPage, *, status: int = 200) -> HttpResponse:
    page.history = recent_history(page.scope.name, page.target_id, HISTORY_LIMIT)
    if page.record is not None:
        # Restoring the version that is stored now would change nothing: it is not offered.
        stored = page.stored or ""
        for entry in page.history:
            entry.after_is_current = entry.event.after == stored
            entry.before_is_current = entry.event.before == stored
    return render(request, "memory_editor/editor.html", {"page": page}, status=status)


# --- the timeline ----------------------------------------------------------------------------------

#: Versions a timeline page lists (newest first).
TIMELINE_PAGE_SIZE = 50


@require_http_methods(["GET"])
def resource_timeline(request: HttpRequest, resource_id: str) -> HttpResponse:
    return _timeline(request, Target(RESOURCE, resource_id))


@require_http_methods(["GET"])
def thread_timeline(request: HttpRequest, thread_id: str) -> HttpResponse:
    return _timeline(request, Target(THREAD, thread_id))


def _timeline(request: HttpRequest, target: Target) -> HttpResponse:
    query = read_query(request, TimelineQuery).cleaned_data
    record = _load(target)
    timeline = build_timeline(target.scope.name, target.id, record.working_memory, get_store())
    newest_first = list(reversed(timeline.versions))
    page_number: int = query["page"] or 1
    start = (page_number - 1) * TIMELINE_PAGE_SIZE
    shown = newest_first[start : start + TIMELINE_PAGE_SIZE]
    if page_number > 1 and not shown:
        raise BadQuery("That page link is not valid", [f"There is no page {page_number}."], request.path)
    compare = _compared(timeline, query["old"], query["new"])
    return render(
        request,
        "memory_editor/timeline.html",
        {
            "target": target,
            "editor_url": reverse(f"memory:{target.scope.name}", args=[target.id]),
            "record": record,
            "timeline": timeline,
            "versions": shown,
            "page_number": page_number,
            "newer_page": page_number - 1 if page_number > 1 else None,
            "older_page": page_number + 1 if start + TIMELINE_PAGE_SIZE < len(newest_first) else None,
            "compare": compare,
            "origins": line_origins(timeline),
            "can_edit": request.user.has_perm(EDIT_PERMISSION),
            "version_token": record.memory_version.token(),
        },
    )


@dataclass(frozen=True)
class Comparison:
    old: Version
    new: Version
    diff: Diff


def _compared(timeline: Timeline, old_key: str, new_key: str) -> Comparison | None:
    """The diff the page shows: two chosen versions, else the newest against the one before."""
    versions = timeline.versions
    if not versions:
        return None
    new = timeline.find(new_key) if new_key else versions[-1]
    if new is None:
        return None
    if old_key:
        old = timeline.find(old_key)
    else:
        before = versions.index(new) - 1
        old = versions[before] if before >= 0 else None
    if old is None:
        return None
    mode = detect_mode(new.text or old.text)
    diff = line_diff(
        editable_text(old.text, mode), editable_text(new.text, mode), old_label=old.label, new_label=new.label
    )
    return Comparison(old, new, diff)


@dataclass(frozen=True)
class TurnChange:
    version: Version
    diff: Diff


@require_http_methods(["GET"])
def turn_memory_change(request: HttpRequest, thread_id: str, message_id: str) -> HttpResponse:
    """What one agent turn's ``updateWorkingMemory`` calls changed (linked from the thread page)."""
    store = get_store()
    thread = store.memory.get_thread_by_id(thread_id)
    if thread is None:
        raise Http404(f"No thread {thread_id}.")
    # Thread scope keeps the memory in the thread's metadata; otherwise the calls wrote the resource's.
    if thread.working_memory is not None or not thread.resource_id:
        target, stored = Target(THREAD, thread_id), thread.working_memory
    else:
        resource = store.memory.get_resource_by_id(thread.resource_id)
        target = Target(RESOURCE, thread.resource_id)
        stored = resource.working_memory if resource is not None else None
    timeline = build_timeline(target.scope.name, target.id, stored, store)
    changes = []
    for index, version in enumerate(timeline.versions):
        if version.author == "agent" and version.message_id == message_id:
            before = timeline.versions[index - 1] if index else None
            comparison = _compared(timeline, before.key if before else "", version.key) if before else None
            diff = comparison.diff if comparison else _first_version_diff(version)
            changes.append(TurnChange(version, diff))
    context = {"target": target, "thread_id": thread_id, "message_id": message_id, "changes": changes}
    return render(request, "memory_editor/turn.html", context)


def _first_version_diff(version: Version) -> Diff:
    mode = detect_mode(version.text)
    return line_diff("", editable_text(version.text, mode), old_label="empty", new_label=version.label)
