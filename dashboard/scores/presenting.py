"""One score as every page shows it: its links (thread, run), its entity and the placeholder for a
value that is not a number. Used by the scores pages and the review pages."""

from __future__ import annotations

from dashboard.core.pages import url_or_empty
from storeclient.models import Score


def output_message_id(score: Score) -> str | None:
    """The id of the first message in an agent score's output (a list of Mastra messages)."""
    output = score.get("output")
    messages = output if isinstance(output, list) else [output]
    for message in messages:
        if isinstance(message, dict) and isinstance(message.get("id"), str) and message.get("role"):
            return str(message["id"])
    return None


def thread_url(score: Score) -> str:
    """The thread the scored output belongs to, at the message when the output names one."""
    if not score.thread_id:
        return ""
    url = url_or_empty("threads:detail", score.thread_id)
    message_id = output_message_id(score)
    if url and message_id:
        url += "#msg-" + message_id
    return url


def run_url(score: Score) -> str:
    """The workflow run a WORKFLOW score was given for; "" when unknown."""
    if score.entity_type != "WORKFLOW" or not score.entity_id or not score.run_id:
        return ""
    return url_or_empty("workflows:run", score.entity_id, score.run_id)


def entity_label(score: Score) -> str:
    entity = score.get("entity")
    name = entity.get("name") if isinstance(entity, dict) else None
    return str(name or score.entity_id or "")


#: Characters of a non-number's text shown in its placeholder (the export carries all of it).
PLACEHOLDER_CHARS = 60


def score_problem(score: Score) -> str | None:
    """The placeholder for a score whose value is not a finite number; ``None`` for a number."""
    if score.has_finite_score:
        return None
    if score.score_text is None:
        return "not a number: nothing stored"
    shown = score.score_text
    if len(shown) > PLACEHOLDER_CHARS:
        shown = shown[:PLACEHOLDER_CHARS] + "…"
    try:
        float(score.score_text)
    except ValueError:
        return f"not a number: {shown!r}"
    return f"not a finite number: {shown}"
