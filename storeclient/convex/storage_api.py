"""The rest of Mastra's storage API on Convex, as mixins of the domain classes (kept apart from the
dashboard's additions): ``updateMessages``, ``deleteMessages``, ``listMessagesByResourceId`` and
``listScoresBySpan`` (with the organization / project filters), through Mastra's standard handler
with ``@mastra/convex``'s semantics. Lists read through the handler's index and are flagged
``capped`` when its 10,000-row read may have cut them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..codec import now, sortable_iso, to_iso
from ..errors import InvalidRequest
from ..message_edits import apply_update, check_updates
from ..models import Message, MessageList, PerPage, ScoreList
from ..records import message_from_record, message_to_row
from ..semantics import check_page, date_bound, paginate
from .handler import MESSAGES, SCORES, StorageHandler
from .score_pages import score_page


class ConvexMessageEdits:
    _h: StorageHandler

    #: Bumps a thread's ``updatedAt``; ConvexMemory, which this mixes into, provides it.
    _touch_thread: Callable[[str, str], None]

    def update_messages(self, updates: Sequence[Mapping[str, Any]]) -> list[Message]:
        """Mastra's ``updateMessages``: change stored messages in place (unknown ids are skipped) and
        bump ``updatedAt`` of each thread a message was in or moved to. Returns the updated messages."""
        wanted = check_updates(updates)
        if not wanted:
            return []
        current = {
            r["id"]: message_from_record(r) for r in self._h.load_many(MESSAGES, [u["id"] for u in wanted])
        }
        updated: list[Message] = []
        touched: set[str] = set()
        for update in wanted:
            message = current.get(update["id"])
            if message is None:
                continue
            new = apply_update(message, update)
            touched |= {message.thread_id, new.thread_id}
            current[new.id] = new
            updated.append(new)
        if updated:
            self._h.batch_insert(MESSAGES, [message_to_row(m) for m in {m.id: m for m in updated}.values()])
        stamp = to_iso(now())
        for thread_id in sorted(t for t in touched if t):
            self._touch_thread(thread_id, stamp)
        return list({m.id: m for m in updated}.values())

    def delete_messages(self, message_ids: Sequence[str]) -> None:
        """Mastra's ``deleteMessages``; like ``@mastra/libsql`` (not ``@mastra/convex``, which leaves
        them) it also bumps ``updatedAt`` of the threads the messages were in."""
        ids = [i for i in dict.fromkeys(message_ids) if isinstance(i, str) and i]
        if not ids:
            return
        threads = {str(r.get("thread_id")) for r in self._h.load_many(MESSAGES, ids) if r.get("thread_id")}
        self._h.delete_many(MESSAGES, ids)
        stamp = to_iso(now())
        for thread_id in sorted(threads):
            self._touch_thread(thread_id, stamp)

    def list_messages_by_resource_id(
        self,
        resource_id: str,
        *,
        date_from: datetime | str | None = None,
        date_to: datetime | str | None = None,
        start_exclusive: bool = False,
        end_exclusive: bool = False,
        page: int = 0,
        per_page: PerPage = 40,
        direction: str = "ASC",
    ) -> MessageList:
        """Mastra's ``listMessagesByResourceId``: a resource's messages across all its threads, by
        ``createdAt`` (oldest first unless ``direction="DESC"``)."""
        if not isinstance(resource_id, str) or not resource_id.strip():
            raise InvalidRequest("resourceId is required.")
        check_page(page, per_page, what="list_messages_by_resource_id")
        start = date_bound(date_from) if date_from is not None else None
        end = date_bound(date_to) if date_to is not None else None
        if per_page is not False and per_page == 0:
            return MessageList(messages=[], total=0, page=page, per_page=per_page, has_more=False)
        rows, capped = self._h.query(MESSAGES, {"resourceId": resource_id})

        def in_range(row: Mapping[str, Any]) -> bool:
            at = sortable_iso(row.get("createdAt"))
            if start is not None and (at <= start if start_exclusive else at < start):
                return False
            return not (end is not None and (at >= end if end_exclusive else at > end))

        kept = sorted(
            (r for r in rows if in_range(r)),
            key=lambda r: (sortable_iso(r.get("createdAt")), str(r.get("id"))),
            reverse=str(direction).upper() == "DESC",
        )
        selected, total, has_more = paginate(kept, page, per_page)
        return MessageList(
            messages=[message_from_record(r) for r in selected],
            total=total,
            page=page,
            per_page=per_page,
            has_more=has_more,
            capped=capped,
        )


class ConvexScoreSpans:
    _h: StorageHandler

    def list_scores_by_span(
        self,
        trace_id: str,
        span_id: str,
        *,
        organization_id: str | None = None,
        project_id: str | None = None,
        page: int = 0,
        per_page: PerPage = 100,
    ) -> ScoreList:
        """Mastra's ``listScoresBySpan``: the scores of one trace span, newest first, optionally of
        one organization and project (its ``filters``)."""

        check_page(page, per_page, what="list_scores_by_span")
        filters: dict[str, Any] = {"traceId": trace_id, "spanId": span_id}
        if organization_id is not None:
            filters["organizationId"] = organization_id
        if project_id is not None:
            filters["projectId"] = project_id
        rows, capped = self._h.query(SCORES, filters)
        return score_page(rows, page, per_page, capped)
