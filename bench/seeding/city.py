"""What a synthetic city is: its sizes, and the people and places later stages read back."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

SCALE_DOMAIN = "metropole.example"
SCALE_SLUG_PREFIX = "m-"


@dataclass
class City:
    """What later stages need to know about the seeded people and places (read from the database)."""

    quartier_ids: list[int]
    quartier_slugs: dict[int, str]
    quartier_names: dict[int, str]
    big_quartier_id: int
    chefs: dict[int, int]
    elus: dict[int, list[int]]
    members: dict[int, list[int]]
    comite: list[int]
    maire: int | None
    service_ids: dict[str, int]
    responsables: dict[int, list[int]]
    priorities: dict[int, list[int]]
    externals: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Sizes:
    quartiers: int
    agents: int
    observations: int
    years: int
    seed: int
    today: datetime.date
    big_quartier_observations: int = 20_000

    @property
    def comite(self) -> int:
        return max(1, min(12, self.agents // 2000))

    def check(self) -> None:
        minimum = 3 * self.quartiers + self.comite + 1
        if self.agents < minimum:
            raise ValueError(
                f"--agents must be at least {minimum} for {self.quartiers} quartiers "
                "(a chef de projet, an élu and one agent each, the comité de direction, the maire)"
            )
        if self.years < 1:
            raise ValueError("--years must be at least 1")
