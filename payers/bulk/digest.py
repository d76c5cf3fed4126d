"""Digests that let a re-imported, unchanged row skip validation: a hash and a set lookup.

A row's `import_digest` is `H(H(input item) ‖ the stored values that item produced)`, written with
the row by the bulk upserts. A later import recomputes it from the item it gets and the values it
reads anyway; equal means "this very item already produced exactly this state", and since an
upsert of an item onto the state it produced changes nothing, the row is unchanged. Because the
stored values are part of it, no other write path has to clear it: a payment, a correction, a
snapshot or an API edit changes the values and so the digest no longer matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

DIGEST_SIZE = 16  # bytes; stored as 32 hex characters


def item_digest(item: Mapping[str, Any]) -> bytes:
    """Equal for equal items built alike (the same key order, as one parser builds them all);
    items that differ only in key order differ here too, which only costs a full check."""
    return hashlib.blake2b(repr(item).encode(), digest_size=DIGEST_SIZE).digest()


def state_digest(input_digest: bytes, values: Iterable[Any]) -> str:
    """The stored digest of a row: the input's digest and the row's values as text.

    Values are compared as text (`str`), so an enum member and its value, or a Decimal read back
    from either database, give the same digest.
    """
    # Unambiguous; None and "None" never meet in one field (text columns are never NULL).
    text = repr([*map(str, values)])
    return hashlib.blake2b(input_digest + text.encode(), digest_size=DIGEST_SIZE).hexdigest()


def contacts_state(contacts: Iterable[Any]) -> str:
    """A payer's contacts as the upsert sees them (ids aside), in a fixed order; the kind as text
    (an enum member when just planned, a string when read)."""
    return repr(
        sorted(
            (str(c.kind), c.value, bool(c.is_primary), bool(c.is_wrong), c.opted_out_at is not None)
            for c in contacts
        )
    )


def payer_state(row: Any, fields: Sequence[str], contacts: Iterable[Any]) -> list[Any]:
    """The values a payer digest covers: its `fields` and its contacts."""
    return [*(getattr(row, name) for name in fields), contacts_state(contacts)]
