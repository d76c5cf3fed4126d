"""SMS length: GSM-7 or UCS-2, and how many parts (segments) a text costs.

GSM-7 carries 160 characters in one SMS, 153 per part when concatenated; a single character
outside it (any Polish diacritic: ą, ę, ł…) switches the whole text to UCS-2: 70, then 67 per part
(DOMAIN.md §9). `transliterate` writes Polish letters and typographic signs in GSM-7, which roughly
halves the cost of a Polish text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each of these takes two septets (an escape and the character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

TRANSLITERATION = str.maketrans(
    {
        "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z", "ż": "z",
        "Ą": "A", "Ć": "C", "Ę": "E", "Ł": "L", "Ń": "N", "Ó": "O", "Ś": "S", "Ź": "Z", "Ż": "Z",
        "„": '"', "”": '"', "“": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...",
        "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int

    @property
    def per_segment(self) -> int:
        single, multi = (160, 153) if self.encoding == "GSM-7" else (70, 67)
        return single if self.segments <= 1 else multi


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_segments(text: str) -> SmsLength:
    """The encoding a phone network uses for `text` and the number of SMS parts it takes."""
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2  # an emoji takes two units
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / multi)
    return SmsLength(encoding=encoding, units=units, segments=segments)


def transliterate(text: str) -> str:
    """Polish letters without diacritics and plain quotes and dashes: 'Zapłać' → 'Zaplac'."""
    return text.translate(TRANSLITERATION)
