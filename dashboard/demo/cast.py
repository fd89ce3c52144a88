"""Who and what the demo talks about: a retail support team's customers, products and agents, and the
seeded id generator every demo record takes its ids from."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

# --- the cast ---------------------------------------------------------------------------------------

PEOPLE = [
    ("Dana", "Whitfield", "Portland, OR", "Pastry chef", "Sourdough, trail running"),
    ("Arjun", "Mehta", "Pune, India", "Data engineer", "Cricket, home espresso"),
    ("Sofia", "Lindqvist", "Malmö, Sweden", "Architect", "Cycling, ceramics"),
    ("Marcus", "Okafor", "Lagos, Nigeria", "Restaurant owner", "Jazz, smoking meats"),
    ("Keiko", "Tanaka", "Osaka, Japan", "Nurse", "Bonsai, baking"),
    ("Luis", "Ferreira", "Porto, Portugal", "Teacher", "Surfing, fermentation"),
    ("Hannah", "Brandt", "Leipzig, Germany", "Product designer", "Bouldering, film photography"),
    ("Omar", "Haddad", "Amman, Jordan", "Caterer", "Football, spice blends"),
    ("Priya", "Raman", "Austin, TX", "Software engineer", "Board games, smoothies"),
    ("Tom", "Gallagher", "Cork, Ireland", "Farmer", "Hurling, bread"),
]
PRODUCTS = [
    ("BLND-900", "ProBlend 900 blender", 84.50),
    ("KTL-210", "Gooseneck kettle", 39.00),
    ("MXR-5", "Stand mixer 5 qt", 249.00),
    ("SCL-01", "Precision kitchen scale", 24.90),
    ("ESP-2", "Dual-boiler espresso machine", 899.00),
    ("PAN-28", "Cast-iron skillet 28 cm", 54.00),
    ("KNF-8", "Chef's knife 8 inch", 119.00),
    ("FRM-40", "Fermentation crock 4 L", 64.00),
]
AGENTS = [
    ("supportAgent", "Support Agent"),
    ("orderAgent", "Order Assistant"),
    ("recipeAgent", "Recipe Helper"),
]
CHANNELS = ["web", "email", "whatsapp", "app"]
LOCALES = ["en-US", "en-GB", "de-DE", "pt-PT", "ja-JP", "sv-SE"]

DEFAULT_TEMPLATE = (
    "# User Information\n- **First Name**: \n- **Last Name**: \n- **Location**: \n- **Occupation**: \n"
    "- **Interests**: \n- **Goals**: \n- **Events**: \n- **Facts**: \n- **Projects**: \n"
)


_UUID7_START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z, fixed so a seed gives the same ids


class Ids:
    """Deterministic ids from the seeded generator: random uuid4s like Mastra's ``randomUUID()``,
    or, with ``ordered=True``, ascending UUIDv7 ids (one millisecond apart from 2026-01-01).

    The large data set uses ordered ids: inserting a million random keys scatters writes over every
    page of the primary-key index, and made seeding the SQLite file 2.4x slower at 300k messages.
    Nothing in Mastra or the dashboard depends on ids being random.
    """

    def __init__(self, rng: random.Random, *, ordered: bool = False) -> None:
        self.rng = rng
        self.ordered = ordered
        self._next = _UUID7_START_MS

    def uuid(self) -> str:
        if not self.ordered:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self._next += 1
        # 48-bit milliseconds | version 7 | 12 random bits | variant | 62 random bits
        value = (self._next << 80) | (0x7 << 76) | (self.rng.getrandbits(12) << 64) | (0b10 << 62)
        # ``str(uuid.UUID(int=...))`` without the UUID object, a third of a large seed's id cost.
        h = f"{value | self.rng.getrandbits(62):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(length * 4):0{length}x}"

    def call(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
        return "call_" + "".join(self.rng.choice(alphabet) for _ in range(8))


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def whole_minute(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


# --- working memory ----------------------------------------------------------------------------------


def markdown_memory(person: tuple[str, str, str, str, str], goal: str, event: str, facts: str) -> str:
    first, last, location, occupation, interests = person
    return (
        "# User Information\n"
        f"- **First Name**: {first}\n- **Last Name**: {last}\n- **Location**: {location}\n"
        f"- **Occupation**: {occupation}\n- **Interests**: {interests}\n- **Goals**: {goal}\n"
        f"- **Events**: {event}\n- **Facts**: {facts}\n- **Projects**: \n"
    )


def order_id(rng: random.Random) -> str:
    return f"A-{rng.randint(10000, 19999)}"
