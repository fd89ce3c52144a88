"""Read and edit Mastra agent data (threads, messages, working memory, workflow runs, scores).

Two stores share one interface (``storeclient.interface.Store``):

* ``ConvexStore(deployment_url, admin_auth_token)`` - a deployment using ``@mastra/convex``.
* ``SQLiteStore(path)`` - a SQLite file in ``@mastra/libsql``'s layout (Mastra's default store).
"""

from .convex import ConvexStore
from .errors import (
    AuthError,
    BackendUnavailable,
    ConflictError,
    InvalidRequest,
    LimitError,
    MalformedRecordError,
    NotDeployedError,
    NotFoundError,
    StorageError,
    StoreError,
)
from .models import (
    ChangePage,
    Count,
    Feed,
    MemoryVersion,
    Message,
    MessageList,
    MessageWindow,
    Resource,
    RunList,
    Score,
    ScoreList,
    ScorePoint,
    ScoreSeries,
    StoreHealth,
    Thread,
    ThreadList,
    WorkflowRun,
)


def __getattr__(name: str) -> object:
    # SQLiteStore is imported lazily so ConvexStore users do not pay for it.
    if name == "SQLiteStore":
        from .sqlite import SQLiteStore

        return SQLiteStore
    raise AttributeError(name)


__all__ = [
    "AuthError",
    "BackendUnavailable",
    "ConflictError",
    "ConvexStore",
    "Count",
    "ChangePage",
    "Feed",
    "InvalidRequest",
    "LimitError",
    "MalformedRecordError",
    "MemoryVersion",
    "Message",
    "MessageList",
    "MessageWindow",
    "NotDeployedError",
    "NotFoundError",
    "Resource",
    "RunList",
    "SQLiteStore",
    "Score",
    "ScoreList",
    "ScorePoint",
    "ScoreSeries",
    "StorageError",
    "StoreError",
    "StoreHealth",
    "Thread",
    "ThreadList",
    "WorkflowRun",
]
