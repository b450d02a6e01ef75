"""The demo's plan: what every part of the demo county draws, as a pure function of its reference
date (``today``).

**Streams.** Each purpose draws from a random stream of its own, seeded by the purpose and its keys
(``plan.stream("meetings", village.code)``), never from a generator another part shares: how many
values the meetings of one village draw (which depends on the date) cannot shift another
village's meetings, nor the income or the orders.

**Star years.** The demo always shows two star years of the shipped village standard:

- ``current``, the year under way: from April on it is the calendar year of ``today``; in January
  to March it is the year just ended, whose review and approval run in the first quarter (年度创评
  is judged on the whole year). Its applications are at every stage.
- ``finished``, the year before: reviewed, approved, published and final, with an objection or
  two and a revoked star — the published figure (评定结果) every page can show.

The data of every module starts on ``data_start`` (1 January of the finished year), so both years
are evaluated on data, between 15 and 27 months of it.

**Targets by construction.** Each village holds, in each star year, a target set of stars dealt
from a deck per township (so every township has a five-star village and the spread of 5/4/3/2/1/0
is fixed, whatever the date). A star the target leaves out is missed through one of its computed
indicators (chosen per village and year); every other computed indicator is met. The modules that
write the data a metric reads ask ``plan.meets(village, metric, year)`` and write data that meets
it, or clearly misses it, over that year *as far as it has run by* ``today`` (the whole finished
year; the current year to date). The township's judged indicators are always met by the demo's
reviews.

``STARS`` mirrors the shipped village standard (``stars/standards/henan-village-2026.yaml``); a
test holds the two together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

SEED = 20220516

# The shipped village standard's stars, in its order, with their computed indicators as
# (indicator code, metric). ``strong_branch`` is the capstone: held only with all the others.
CAPSTONE = "strong_branch"
STARS: dict[str, tuple[tuple[str, str], ...]] = {
    "strong_branch": (("meetings", "meetings_compliance"), ("member_points", "member_points_mean")),
    "industry": (("income", "collective_income"),),
    "ecology": (("courtyards", "titled_households"),),
    "safety": (("three_zeros", "three_zeros"), ("disputes", "dispute_resolution_rate")),
    "civility": (
        ("satisfaction", "orders_satisfaction_rate"),
        ("solved_in_village", "orders_solved_in_village_share"),
        ("coverage", "pairing_coverage"),
    ),
}
ORDINARY = tuple(code for code in STARS if code != CAPSTONE)
METRICS = tuple(metric for found in STARS.values() for _, metric in found)

# Never the one a star is missed through: pairing coverage is today's state, not a year's, so it
# cannot differ between the two star years.
NEVER_MISSED = frozenset({"pairing_coverage"})
# Missed only by a village planned to hold no star at all: a failed veto (一票否决) fails every
# star of the branch (``stars.rules``), so a village holding any star keeps its 三零.
VETOES = frozenset({"three_zeros"})

# Star counts dealt to a township of 24 villages (the shape of seed 000's 裴城镇: 1 five-star,
# 6 four-star, 13 three-star, 3 two-star, one vetoed); other sizes are scaled from it, every
# township keeping at least one five-star village.
DECK_24 = {5: 1, 4: 6, 3: 11, 2: 3, 1: 2, 0: 1}

# The demo accounts' village (东王庄村) in the current year: the browser test carries its draft
# application through review and approval of exactly three stars, the capstone refused.
DEMO_VILLAGE_CURRENT = frozenset({"industry", "ecology", "civility"})


@dataclass(frozen=True)
class Village:
    """What the plan needs of a village: its region code (stable for a given build) and its
    township's code."""

    code: str
    township: str


def stream(purpose: str, *keys: object) -> random.Random:
    """A random stream of its own for ``purpose`` and ``keys``: the same values on every run and
    every machine (a string seed is hashed with SHA-512)."""
    seed = "/".join([str(SEED), purpose, *(str(k) for k in keys)])
    return random.Random(seed)  # noqa: S311 - demo data, not secrets


class Deck:
    """Draws in fixed proportions: each run through the deck deals every card as often as listed,
    in an order shuffled by ``rng``, so a share holds over few draws (never by luck)."""

    def __init__(self, rng: random.Random, cards: list) -> None:
        self.rng = rng
        self.cards = cards
        self.left: list = []

    def draw(self):
        if not self.left:
            self.left = self.cards[:]
            self.rng.shuffle(self.left)
        return self.left.pop()

    def put_back(self, card) -> None:
        """Return ``card`` to the bottom of what is left."""
        self.left.insert(0, card)

    @classmethod
    def of_bands(cls, rng: random.Random, bands: tuple[tuple[int, int, int], ...]) -> Deck:
        """Age bands as (low, high, cards): each card a (low, high) range."""
        return cls(rng, [(low, high) for low, high, cards in bands for _ in range(cards)])


def deck_for(size: int) -> list[int]:
    """The star counts dealt to a township of ``size`` villages (largest remainder from
    ``DECK_24``, at least one five-star village)."""
    total = sum(DECK_24.values())
    raw = {k: n * size / total for k, n in DECK_24.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], -k))[: size - sum(counts.values())]:
        counts[k] += 1
    if size and not counts[5]:
        donor = max((k for k in counts if counts[k] and k != 5), key=lambda k: counts[k])
        counts[donor] -= 1
        counts[5] = 1
    return [k for k in sorted(counts, reverse=True) for _ in range(counts[k])]


def current_star_year(today: dt.date) -> int:
    return today.year if today >= dt.date(today.year, 4, 1) else today.year - 1


class DemoPlan:
    """The demo's plan for reference date ``today`` over ``villages`` (every village and
    community of the county, as ``Village``) with ``demo_village`` the demo accounts' one."""

    def __init__(self, today: dt.date, villages: list[Village], demo_village: str) -> None:
        self.today = today
        self.villages = sorted(villages, key=lambda v: v.code)
        self.demo_village = demo_village
        self.current = current_star_year(today)
        self.finished = self.current - 1
        self.years = (self.finished, self.current)
        self.data_start = dt.date(self.finished, 1, 1)

    @classmethod
    def for_regions(cls, today: dt.date, villages, demo_village) -> DemoPlan:
        """From region rows (anything with ``code`` and ``path``; the township is the path's
        first three steps below the county)."""
        return cls(
            today,
            [Village(code=v.code, township=v.code[:9]) for v in villages],
            demo_village.code,
        )

    # --- periods ----------------------------------------------------------------------------

    def year_end(self, year: int) -> dt.date:
        """The last day of ``year`` the data can reach: 31 December, or ``today`` in the year
        under way."""
        return min(dt.date(year, 12, 31), self.today)

    # --- targets ----------------------------------------------------------------------------

    @cached_property
    def _targets(self) -> dict[tuple[str, int], frozenset[str]]:
        by_township: dict[str, list[Village]] = {}
        for village in self.villages:
            by_township.setdefault(village.township, []).append(village)
        out: dict[tuple[str, int], frozenset[str]] = {}
        for year in self.years:
            for township, villages in sorted(by_township.items()):
                deck = deck_for(len(villages))
                stream("tiers", township, year).shuffle(deck)
                codes = [v.code for v in villages]
                if year == self.current and self.demo_village in codes:
                    # The demo village holds three stars: it swaps cards with a three-star one.
                    mine = codes.index(self.demo_village)
                    other = deck.index(len(DEMO_VILLAGE_CURRENT))
                    deck[mine], deck[other] = deck[other], deck[mine]
                for code, count in zip(codes, deck, strict=True):
                    out[code, year] = self._stars_for(code, year, count)
        demo = (self.demo_village, self.current)
        if demo in out:
            out[demo] = DEMO_VILLAGE_CURRENT
        return out

    @staticmethod
    def _stars_for(code: str, year: int, count: int) -> frozenset[str]:
        if count == 5:
            return frozenset(STARS)
        ordinary = list(ORDINARY)
        kept = stream("stars", code, year).sample(ordinary, min(count, 4))
        return frozenset(kept)

    def _year(self, year: int) -> int:
        """The star year whose targets apply to data of ``year``: the days of January to March
        after a current year that has ended carry on its targets, and nothing is older than the
        finished year."""
        return min(max(year, self.finished), self.current)

    def stars(self, village: str, year: int) -> frozenset[str]:
        """The stars ``village`` (a region code) holds by the data in ``year``."""
        return self._targets[village, self._year(year)]

    def star_count(self, village: str, year: int) -> int:
        return len(self.stars(village, year))

    def distribution(self, year: int) -> dict[int, int]:
        """How many villages the plan gives 5, 4, 3, 2, 1 and 0 stars in ``year``."""
        counts = Counter(self.star_count(v.code, year) for v in self.villages)
        return {k: counts.get(k, 0) for k in (5, 4, 3, 2, 1, 0)}

    @cached_property
    def _missed(self) -> dict[tuple[str, int], frozenset[str]]:
        """For each village and year, the metrics that are missed: one computed indicator of each
        star the target leaves out (for a village with none or one star, every indicator of
        them: a lagging village lags everywhere)."""
        out: dict[tuple[str, int], frozenset[str]] = {}
        for (code, year), held in self._targets.items():
            missed: set[str] = set()
            lagging = len(held) <= 1
            for star, indicators in STARS.items():
                if star in held:
                    continue
                if star == CAPSTONE and len(held) < 4 and not lagging:
                    continue  # the capstone falls with the others; its own data may be fine
                choices = [
                    m
                    for _, m in indicators
                    if m not in NEVER_MISSED and (m not in VETOES or not held)
                ]
                if lagging:
                    missed |= set(choices)
                else:
                    missed.add(stream("missed", code, year, star).choice(choices))
            out[code, year] = frozenset(missed)
        return out

    def meets(self, village: str, metric: str, year: int) -> bool:
        """Whether ``village``'s data must meet ``metric``'s threshold over ``year`` (to date in
        the year under way)."""
        if metric not in METRICS:
            raise KeyError(f"the demo plan has no target for metric {metric!r}")
        return metric not in self._missed[village, self._year(year)]

    def strength(self, village: str, year: int) -> float:
        """A 0–1 liveliness for what no star reads (how many good deeds, visits, attendance…):
        from the village's star count in ``year``, with a little noise of its own."""
        noise = stream("strength", village, year).uniform(-0.05, 0.05)
        return max(0.3, min(1.0, 0.45 + 0.11 * self.star_count(village, year) + noise))
