"""Three-way merges of working memory: both edits kept when they do not overlap, never a guess when
they do (dashboard/working_memory/merges.py)."""

from __future__ import annotations

import json

from dashboard.working_memory.merges import merge_lines, merge_working_memory

from .memory_records import ARJUN_MEMORY, DANA_MEMORY

EDDIES_NOTE = "- **Note**: call back on Monday\n"
ERINS_NOTE = "- **Note**: prefers a refund over a replacement\n"


def test_two_notes_appended_at_the_end_are_both_kept_theirs_first():
    merge = merge_lines(DANA_MEMORY, DANA_MEMORY + EDDIES_NOTE, DANA_MEMORY + ERINS_NOTE)
    assert merge.text == DANA_MEMORY + EDDIES_NOTE + ERINS_NOTE


def test_a_draft_that_already_copied_their_note_does_not_get_it_twice():
    merge = merge_lines(DANA_MEMORY, DANA_MEMORY + EDDIES_NOTE, DANA_MEMORY + EDDIES_NOTE + ERINS_NOTE)
    assert merge.text == DANA_MEMORY + EDDIES_NOTE + ERINS_NOTE


def test_changes_to_different_lines_combine():
    theirs = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    mine = DANA_MEMORY.replace("Pastry chef", "Head pastry chef")
    merge = merge_lines(DANA_MEMORY, theirs, mine)
    assert merge.text == DANA_MEMORY.replace("Portland, OR", "Seattle, WA").replace(
        "Pastry chef", "Head pastry chef"
    )


def test_the_same_change_on_both_sides_counts_once():
    both = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    assert merge_lines(DANA_MEMORY, both, both).text == both


def test_two_different_changes_to_one_line_are_not_merged_and_the_line_is_named():
    theirs = DANA_MEMORY.replace("Portland, OR", "Seattle, WA")
    mine = DANA_MEMORY.replace("Portland, OR", "Eugene, OR")
    merge = merge_lines(DANA_MEMORY, theirs, mine)
    assert not merge.clean
    assert merge.overlaps == ("line 4",)


def test_json_memories_merge_key_by_key_into_valid_json():
    base = json.loads(ARJUN_MEMORY)
    theirs = json.dumps({**base, "timezone": "Europe/London"})
    mine = json.dumps({**base, "preferredContact": "phone", "vip": True})
    merge = merge_working_memory(ARJUN_MEMORY, theirs, mine, "json")
    assert merge.text is not None
    assert json.loads(merge.text) == {
        **base,
        "timezone": "Europe/London",
        "preferredContact": "phone",
        "vip": True,
    }


def test_json_changes_inside_one_nested_object_merge_and_a_deleted_key_stays_deleted():
    base = json.loads(ARJUN_MEMORY)
    theirs = {**base, "preferences": {"language": "hi", "tone": "concise"}}
    del theirs["openOrders"]
    mine = {**base, "preferences": {"language": "en", "tone": "warm"}}
    merge = merge_working_memory(ARJUN_MEMORY, json.dumps(theirs), json.dumps(mine), "json")
    assert merge.text is not None
    merged = json.loads(merge.text)
    assert merged["preferences"] == {"language": "hi", "tone": "warm"}
    assert "openOrders" not in merged


def test_one_json_key_set_to_two_values_is_an_overlap_named_by_its_path():
    base = json.loads(ARJUN_MEMORY)
    theirs = json.dumps({**base, "preferences": {"language": "hi", "tone": "concise"}})
    mine = json.dumps({**base, "preferences": {"language": "fr", "tone": "concise"}})
    merge = merge_working_memory(ARJUN_MEMORY, theirs, mine, "json")
    assert merge.text is None
    assert merge.overlaps == ("preferences.language",)
