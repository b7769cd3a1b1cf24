"""What a commenter's name may be: something a reader can see, written in one direction.

A name made only of invisible characters (zero-width spaces and joiners, other format
or control characters, combining marks with nothing to combine with, blanks) shows as a
comment by nobody; a bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069)
reverses the text after it on the page ("Ann" + RLO + "txt.exe" shows as "Annexe.txt"),
which serves only to impersonate. Both are refused with a message naming the field;
ordinary marks that scripts need (a zero-width joiner inside an emoji or an Indic word,
a right-to-left mark) are kept.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def validate_display_name(value: str) -> None:
    if any(character in BIDI_CONTROLS for character in value):
        raise ValidationError("Names may not contain text-direction control characters.")
    if all(unicodedata.category(character) in _INVISIBLE_CATEGORIES for character in value):
        raise ValidationError("Enter a name with at least one visible character.")
