"""A client's saved column mappings: which one an import uses, and saving one.

A mapping names the client's own CSV/XLSX headers ("Dokument nr" -> "number") for files the
synonym table of `imports.parsers.columns` does not recognise. An import names one (`--mapping
NAME`, the upload form) or gets the client's default one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from imports.models import ColumnMapping, ImportBatch
from tenants.models import Tenant

# Only these formats have column headers; JSON Lines, KSeF and bank statements name their fields.
TABULAR_FORMATS = (ImportBatch.Format.CSV, ImportBatch.Format.XLSX)


def column_mappings_of(*, tenant: Tenant) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.for_tenant(tenant).order_by("name")


def mapping_for_import(
    *, tenant: Tenant, name: str | None, file_format: str
) -> ColumnMapping | None:
    """The mapping called `name`, else the default one for a CSV/XLSX file, else none.

    Raises ValidationError on `mapping` when the client has no mapping called `name`.
    """
    if name:
        found = column_mappings_of(tenant=tenant).filter(name=name).first()
        if found is None:
            known = list(column_mappings_of(tenant=tenant).values_list("name", flat=True))
            saved = ", ".join(f'"{known_name}"' for known_name in known) or "none yet"
            raise ValidationError(
                {"mapping": [f'There is no column mapping called "{name}"; saved: {saved}.']}
            )
        return found
    if file_format not in TABULAR_FORMATS:
        return None
    return column_mappings_of(tenant=tenant).filter(is_default=True).first()


@transaction.atomic
def save_column_mapping(
    *,
    tenant: Tenant,
    name: str,
    mapping: dict[str, str],
    is_default: bool = False,
    column_mapping: ColumnMapping | None = None,
) -> ColumnMapping:
    """Create a mapping (or change `column_mapping`); a new default replaces the old one.

    Raises ValidationError on `name` when another mapping of the client has that name, and on
    `mapping` when a column maps to a field we do not know.
    """
    if column_mapping is not None and column_mapping.tenant_id != tenant.pk:
        raise ValidationError({"name": ["This mapping belongs to another client."]})
    target = column_mapping or ColumnMapping(tenant=tenant)
    target.name, target.mapping, target.is_default = name.strip(), mapping, is_default
    target.full_clean(exclude=["tenant"], validate_constraints=False)
    others = column_mappings_of(tenant=tenant).exclude(pk=target.pk)
    if others.filter(name=target.name).exists():
        raise ValidationError({"name": [f'A mapping called "{target.name}" already exists.']})
    if is_default:
        others.filter(is_default=True).update(is_default=False)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as error:  # a concurrent save took the name or the default first
        raise ValidationError(
            {"name": ["Another mapping was saved at the same time; try again."]}
        ) from error
    return target
