"""Every page of the dashboard on the demo data, for the layout and accessibility sweeps.

``site_pages(store, data)`` lists (name, path) for one of each kind of page a signed-in admin can
open, with ids taken from the demo data so every page shows real content.
"""

from __future__ import annotations

from urllib.parse import quote

from dashboard.audit.models import Action, AuditEvent, Outcome, TargetType
from dashboard.demo.dataset import DemoData
from storeclient.sqlite import SQLiteStore

#: Sizes every page is checked at: a phone (iPhone 12-15 class) and a laptop.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def audit_event(resource_id: str) -> AuditEvent:
    return AuditEvent.objects.create(
        username="ada",
        action=Action.WORKING_MEMORY_SAVE,
        target_type=TargetType.RESOURCE,
        target_id=resource_id,
        before="Name: Ada\n",
        after="Name: Ada Lovelace\n",
        outcome=Outcome.APPLIED,
    )


def site_pages(store: SQLiteStore, data: DemoData) -> list[tuple[str, str]]:
    """Needs the database (it writes one audit event to show)."""
    thread = max(data.threads, key=lambda t: len([m for m in data.messages if m.thread_id == t.id]))
    resource = next(r for r in data.resources if r.working_memory)
    run = next(r for r in data.runs if r.snapshot.get("status") == "failed")
    scorer_id = sorted({s.payload["scorerId"] for s in data.scores})[0]
    score = store.scores.score_feed(scorer_id, limit=1).items[0]
    event = audit_event(resource.id)
    first_message = next(m for m in data.messages if m.thread_id == thread.id)
    return [
        ("overview", "/"),
        ("threads", "/threads/"),
        ("thread", f"/threads/{quote(thread.id)}/"),
        ("thread memory", f"/threads/{quote(thread.id)}/memory/"),
        ("resources", "/resources/"),
        ("resource", f"/resources/{quote(resource.id)}/"),
        ("resource memory", f"/resources/{quote(resource.id)}/memory/"),
        ("workflow runs", "/workflows/"),
        ("workflow run", f"/workflows/{quote(run.workflow_name)}/{quote(run.run_id)}/"),
        ("scores", "/scores/"),
        ("scorer", f"/scores/{quote(scorer_id)}/"),
        ("score", f"/scores/{quote(scorer_id)}/{quote(score.id)}/"),
        ("audit log", "/audit/"),
        ("audit event", f"/audit/{event.pk}/"),
        ("preferences", "/preferences/"),
        ("thread at a message", f"/threads/{quote(thread.id)}/?at={quote(first_message.id)}"),
        ("memory timeline", f"/resources/{quote(resource.id)}/memory/timeline/"),
        ("search", "/search/?q=refund"),
        ("tools", "/tools/"),
        ("activity", "/activity/"),
        ("health", "/health/"),
        ("vectors", "/vectors/"),
        ("schedules", "/workflows/schedules/"),
        ("background tasks", "/workflows/background-tasks/"),
        ("review queues", "/scores/(reviews)/"),
        ("users", "/accounts/users/"),
        ("not found", "/threads/no-such-thread/"),
    ]
