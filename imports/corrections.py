"""KSeF corrections (KOR): a correction changes the invoice it corrects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imports.models import ImportBatch
from imports.parsers.base import InvoiceRecord, RowError

if TYPE_CHECKING:
    from imports.processing import Tally


def apply_corrections(
    batch: ImportBatch, corrections: list[tuple[int, InvoiceRecord]], tally: Tally
) -> None:
    for line, record in corrections:
        tally.rejected += 1
        tally.add_error(
            RowError(
                line,
                "corrects",
                f"A correction (KOR) of invoice {record.corrects_number} is not applied "
                "automatically yet: change that invoice's amount through the API or admin.",
                record.number,
            )
        )
