"""A resource's or thread's observational memory (``@mastra/memory``) for its page: the active
observations of the latest generation, what is buffered for the next activation, the reflection
waiting to be swapped in, the counters and flags, the configuration, and the older generations.

Observations are model-written Markdown-ish bullet lines: rendered only through
``render_untrusted_markdown``. One store call per page (the history, newest first, of which the
first entry is the current generation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from dashboard.core.rendering import render_untrusted_markdown
from storeclient.interface import Store
from storeclient.models import ObservationalMemory, ObservationChunk

#: Generations loaded for one page (the current one and the older ones shown collapsed).
HISTORY_LIMIT = 6


@dataclass(frozen=True)
class ChunkView:
    chunk: ObservationChunk
    html: SafeString


@dataclass(frozen=True)
class GenerationView:
    record: ObservationalMemory
    html: SafeString


@dataclass(frozen=True)
class ObservationPanel:
    current: ObservationalMemory
    html: SafeString
    chunks: list[ChunkView]
    reflection_html: SafeString
    older: list[GenerationView]
    #: More generations exist than were loaded.
    more_older: bool

    @property
    def activity(self) -> list[str]:
        """What the memory is doing right now (Mastra's in-progress flags), in words."""
        m = self.current
        flags = (
            (m.is_observing, "observing"),
            (m.is_reflecting, "reflecting"),
            (m.is_buffering_observation, "buffering observations"),
            (m.is_buffering_reflection, "buffering a reflection"),
        )
        return [label for on, label in flags if on]

    @property
    def last_activity(self) -> datetime | None:
        times = [t for t in (self.current.last_observed_at, self.current.last_reflection_at) if t]
        return max(times) if times else None


def observation_panel(store: Store, thread_id: str | None, resource_id: str) -> ObservationPanel | None:
    """The panel for ``thread:<thread_id>`` (or ``resource:<resource_id>``), ``None`` when the
    thread or resource has no observational memory."""
    history = store.observations.get_observational_memory_history(thread_id, resource_id, HISTORY_LIMIT)
    if not history:
        return None
    current, older = history[0], history[1:]
    return ObservationPanel(
        current=current,
        html=render_untrusted_markdown(current.active_observations),
        chunks=[ChunkView(c, render_untrusted_markdown(c.observations)) for c in current.buffered_chunks],
        reflection_html=render_untrusted_markdown(current.buffered_reflection),
        older=[GenerationView(g, render_untrusted_markdown(g.active_observations)) for g in older],
        more_older=len(history) == HISTORY_LIMIT and current.generation_count + 1 > HISTORY_LIMIT,
    )
