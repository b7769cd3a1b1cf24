"""What an import reports: rows created, updated, unchanged or skipped by kind, the items
that are not posts by post type, and notes on what was adapted; `table()` is the
command's summary (docs/wordpress-import.md shows one)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

KINDS = ("categories", "tags", "authors", "articles", "old slugs", "comments", "images")
OUTCOMES = ("created", "updated", "unchanged", "skipped")


@dataclass
class ImportSummary:
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    # Items that are neither posts nor attachments (page, nav_menu_item...), by post type.
    skipped_post_types: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def note(self, note: str, n: int = 1) -> None:
        if n:  # a note counted zero times is not listed
            self.notes[note] += n

    def table(self) -> str:
        width = max(len(kind) for kind in (*KINDS, "other items"))
        lines = [f"{'':<{width}}" + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind in KINDS:
            lines.append(
                f"{kind:<{width}}" + "".join(f"{self.counts[kind][o]:>11}" for o in OUTCOMES)
            )
        skipped = sum(self.skipped_post_types.values())
        lines.append(f"{'other items':<{width}}" + f"{0:>11}" * 3 + f"{skipped:>11}")
        if self.skipped_post_types:
            kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.skipped_post_types.items()))
            lines.append(f"Other items skipped by post type: {kinds}.")
        if self.notes:
            lines.append("Notes:")
            lines += [f"  {note}: {n}" for note, n in sorted(self.notes.items())]
        return "\n".join(lines)
