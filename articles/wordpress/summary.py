"""What an import reports: rows created, updated or unchanged by kind, what was skipped
and why, the items that are not posts by post type, and notes on what was adapted;
`table()` is the command's summary (docs/wordpress-import.md shows one).

A skip is only ever counted with its reason (`skip()`), so the table's skipped column is
the sum of the reasons listed under it. With `list_skipped`, each skipped item is kept
with its title (or guid) and reason as well, for the command's `-v 2`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

KINDS = ("categories", "tags", "authors", "articles", "old slugs", "comments", "images")
OUTCOMES = ("created", "updated", "unchanged", "skipped")
# What one row of each kind is called in the list of skipped items.
ONE_OF_KIND = {
    "categories": "category",
    "tags": "tag",
    "authors": "author",
    "articles": "article",
    "old slugs": "old slug",
    "comments": "comment",
    "images": "image",
}


@dataclass
class ImportSummary:
    # created, updated, unchanged by kind (skips are in `skips`, by reason).
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    skips: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    # Items that are neither posts nor attachments (page, nav_menu_item...), by post type.
    skipped_post_types: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    # "kind label: reason" for every skipped item, when asked for (None: not kept).
    skipped_items: list[str] | None = None

    @classmethod
    def listing_skipped(cls) -> ImportSummary:
        """A summary that also keeps each skipped item (memory grows with them)."""
        return cls(skipped_items=[])

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if outcome == "skipped":
            raise ValueError("a skip is counted with its reason: use skip()")
        self.counts[kind][outcome] += n

    def skip(self, kind: str, reason: str, *, item: str) -> None:
        """Count one skipped `item` (its title, or guid...) of `kind`, and why."""
        self.skips[kind][reason] += 1
        if self.skipped_items is not None:
            self.skipped_items.append(f"{ONE_OF_KIND[kind]} {item}: {reason}")

    def skip_post_type(self, post_type: str, *, item: str, why: str = "") -> None:
        """Count an item that is not imported for its post type (a page, a menu item...),
        `why` saying more when the type alone does not."""
        self.skipped_post_types[post_type] += 1
        if self.skipped_items is not None:
            reason = f"post type {post_type}" + (f", {why}" if why else "")
            self.skipped_items.append(f"{post_type} {item}: {reason}")

    def skipped(self, kind: str) -> int:
        if kind == "other items":
            return sum(self.skipped_post_types.values())
        return sum(self.skips[kind].values())

    def note(self, note: str, n: int = 1) -> None:
        if n:  # a note counted zero times is not listed
            self.notes[note] += n

    def table(self) -> str:
        width = max(len(kind) for kind in (*KINDS, "other items"))
        lines = [f"{'':<{width}}" + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind in KINDS:
            numbers = [self.counts[kind][o] for o in OUTCOMES[:3]] + [self.skipped(kind)]
            lines.append(f"{kind:<{width}}" + "".join(f"{n:>11}" for n in numbers))
        lines.append(
            f"{'other items':<{width}}" + f"{0:>11}" * 3 + f"{self.skipped('other items'):>11}"
        )
        if self.skipped_post_types:
            kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.skipped_post_types.items()))
            lines.append(f"Other items skipped by post type: {kinds}.")
        if any(self.skips.values()):
            lines.append("Skipped, by reason:")
            for kind in KINDS:
                if reasons := self.skips[kind]:
                    listed = "; ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))
                    lines.append(f"  {kind}: {self.skipped(kind)} ({listed})")
        if self.notes:
            lines.append("Notes:")
            lines += [f"  {note}: {n}" for note, n in sorted(self.notes.items())]
        return "\n".join(lines)
