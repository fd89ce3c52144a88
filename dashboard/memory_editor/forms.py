from __future__ import annotations

import json
from typing import Any

from django import forms

from dashboard.working_memory.rules import normalise_line_endings
from storeclient.models import MemoryVersion, content_hash


class MemoryEditForm(forms.Form):
    """One POST of the editor: review a draft, save it, or restore a version from the history.

    ``version`` is the stored version the page was loaded from (``MemoryVersion.token()``); the save
    is conditional on it. ``base`` is the text of that version, JSON-encoded so no browser line-break
    normalisation can alter it; it only feeds the diffs and the conflict view, and is trusted only
    when its hash matches ``version``.

    After a conflict the form keeps the version the edit started from, so a plain ``save`` can only
    conflict again; ``overwrite`` is the one explicit way to write the draft over the version stored
    now, which the form then carries as ``theirs_version`` and ``theirs`` (the same way as ``base``).
    """

    ACTIONS = (
        ("review", "Review changes"),
        ("save", "Save"),
        ("overwrite", "Overwrite theirs"),
        ("restore", "Restore"),
    )

    action = forms.ChoiceField(choices=ACTIONS, required=False)
    draft = forms.CharField(required=False, strip=False)
    version = forms.CharField(required=False, max_length=200)
    base = forms.CharField(required=False, strip=False)
    theirs_version = forms.CharField(required=False, max_length=200)
    theirs = forms.CharField(required=False, strip=False)
    #: "<audit event id>:before" or "<audit event id>:after": the history version to restore.
    restore = forms.RegexField(regex=r"^[1-9][0-9]{0,17}:(before|after)$", required=False)
    #: A restore writes only once the person has seen what it changes and confirmed it.
    confirmed = forms.BooleanField(required=False)
    #: A version of the timeline to restore ("call-<id>" for an agent write, "edit-<id>").
    restore_version = forms.RegexField(regex=r"^(call|edit|seen)-[1-9][0-9]{0,17}$", required=False)

    def clean_action(self) -> str:
        # Only an explicit "save", "overwrite" or confirmed "restore" writes; anything else (the live preview) only looks.
        return self.cleaned_data.get("action") or "review"

    def clean_version(self) -> MemoryVersion | None:
        return _version(self.cleaned_data.get("version") or "")

    def clean_theirs_version(self) -> MemoryVersion | None:
        return _version(self.cleaned_data.get("theirs_version") or "")

    def clean_base(self) -> str | None:
        return _decoded(self.cleaned_data.get("base") or "")

    def clean_theirs(self) -> str | None:
        return _decoded(self.cleaned_data.get("theirs") or "")

    def clean_draft(self) -> str:
        return normalise_line_endings(self.cleaned_data.get("draft") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["theirs_verified"] = _proves(data.get("theirs_version"), data.get("theirs"))
        if data.get("action") == "overwrite":
            if not data["theirs_verified"]:
                raise forms.ValidationError(
                    "The page does not say which stored version to overwrite; reload the page."
                )
            # Written over the version the person saw and chose to replace, and over nothing newer.
            data["version"], data["base"] = data["theirs_version"], data["theirs"]
        # The base text is only believed when it is the text of the version the save is tied to.
        data["base_verified"] = _proves(data.get("version"), data.get("base"))
        restore = data.get("restore")
        if restore:
            event_id, _, side = restore.partition(":")
            data["restore_event"], data["restore_side"] = int(event_id), side
            # The restore buttons submit the history form without an action field of their own.
            data["action"] = "restore"
        elif data.get("restore_version"):
            data["action"] = "restore"
        elif data.get("action") == "restore":
            raise forms.ValidationError("Choose a version from the history to restore.")
        return data


def _version(token: str) -> MemoryVersion | None:
    if not token:
        return None
    version = MemoryVersion.from_token(token)
    if not version.updated_at or len(version.content_hash) != 32:
        raise forms.ValidationError("The page's version marker is damaged; reload the page.")
    return version


def _decoded(raw: str) -> str | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _proves(version: MemoryVersion | None, text: str | None) -> bool:
    return version is not None and text is not None and content_hash(text) == version.content_hash


def encode_base(text: str | None) -> str:
    return json.dumps(text or "", ensure_ascii=False)


_VERSION_KEY = r"^((call|edit)-[1-9][0-9]{0,17}|stored)$"


class TimelineQuery(forms.Form):
    """The timeline page's view state: its page, and the two versions to compare (keys)."""

    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    old = forms.RegexField(regex=_VERSION_KEY, required=False)
    new = forms.RegexField(regex=_VERSION_KEY, required=False)
