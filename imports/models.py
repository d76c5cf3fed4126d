from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from imports.parsers.columns import SYNONYMS
from tenants.scoping import TenantOwnedModel


class ImportBatch(TenantOwnedModel):
    """One file handed over by a client (web, API, CLI or drop folder) and what became of it."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSONL = "jsonl", "JSON Lines"
        KSEF = "ksef", _("KSeF e-invoices (XML or ZIP)")
        MT940 = "mt940", _("MT940 bank statement")
        CAMT053 = "camt053", _("camt.053 bank statement")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")  # the whole file was unusable; nothing imported
        FAILED = "failed", _("Failed")  # a crash; rolled back, nothing imported

    class Channel(models.TextChoices):
        WEB = "web", _("Web upload")
        API = "api", _("REST API")
        CLI = "cli", _("Command line")
        DROP_FOLDER = "drop", _("Drop folder")

    # Formats that list open invoices, so can be a full snapshot of them; a bank statement or a
    # KSeF e-invoice never is (it would mark every other open invoice paid).
    SNAPSHOT_FORMATS = (Format.CSV, Format.XLSX, Format.JSONL)

    format = models.CharField(_("format"), max_length=10, choices=Format)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel, default=Channel.WEB)
    snapshot = models.BooleanField(
        _("full snapshot"),
        default=False,
        help_text=_("Open invoices missing from a snapshot are marked settled."),
    )
    mapping = models.ForeignKey(
        "ColumnMapping",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("column mapping"),
        help_text=_("The client's saved column mapping the file was read with, if any."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    same_file_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("An earlier batch with the very same file."),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)


class ImportRowError(TenantOwnedModel):
    """A row the batch could not apply: where it is in the file, which field, and why."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(_("line"))
    field = models.CharField(_("field"), max_length=100, blank=True)
    message = models.CharField(_("message"), max_length=500)
    value = models.CharField(_("value"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("import error")
        verbose_name_plural = _("import errors")
        ordering = ["batch", "line", "id"]


class BankEntry(TenantOwnedModel):
    """A credit on the client's bank statement, booked once however often statements repeat it.

    Matched entries point at the payment they became; unmatched ones wait for the client's review.
    """

    class State(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Waiting for review")
        # Not a receivable payment (a refund, a transfer between own accounts): set aside by hand.
        IGNORED = "ignored", _("Ignored")

    class MatchReason(models.TextChoices):
        TITLE = "title", _("invoice number in the title")
        NIP = "nip", _("payer's NIP")
        PAYER_ID = "payer_id", _("payer's id")
        ACCOUNT = "account", _("known account")
        CONFIRMED = "confirmed", _("confirmed by the client")
        API = "api", _("confirmed through the API")

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="bank_entries")
    external_id = models.CharField(_("bank reference"), max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    booked_on = models.DateField(_("booked on"))
    title = models.CharField(_("transfer title"), max_length=500, blank=True)
    counterparty_name = models.CharField(_("counterparty"), max_length=300, blank=True)
    counterparty_account = models.CharField(_("counterparty account"), max_length=40, blank=True)
    counterparty_nip = models.CharField(_("counterparty NIP"), max_length=10, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.UNMATCHED)
    payment = models.OneToOneField(
        "invoices.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    match_reason = models.CharField(_("matched by"), max_length=10, choices=MatchReason, blank=True)
    # Who confirmed it on the review list (empty for automatic matches and API keys), and when.
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    ignored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ignored by"),
    )
    ignored_at = models.DateTimeField(_("ignored at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank entry")
        verbose_name_plural = _("bank entries")
        ordering = ["-booked_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="bank_entry_unique_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="bank_entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="matched") | models.Q(payment__isnull=False),
                name="bank_entry_matched_has_payment",
            ),
        ]
        # The review list: a client's entries of one state, newest first.
        indexes = [
            models.Index(fields=["tenant", "state", "-booked_on", "-id"], name="bank_entry_review")
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.currency} {self.counterparty_name}"


def normalize_account(account: str) -> str:
    """An account number as one key: no spaces or dashes, upper case, 'PL' before 26 digits."""
    compact = re.sub(r"[\s-]", "", account or "").upper()
    if re.fullmatch(r"\d{26}", compact):
        return f"PL{compact}"
    return compact


class KnownAccount(TenantOwnedModel):
    """A counterparty account the client confirmed for one of its payers.

    Credits from it are matched to that payer automatically. An account confirmed for two
    different payers (a parent company, a factor, an accounting office) is marked shared and
    matches nobody automatically: ambiguity is never guessed.
    """

    account = models.CharField(_("account"), max_length=40)
    payer = models.ForeignKey(
        "payers.Payer", on_delete=models.CASCADE, related_name="+", verbose_name=_("payer")
    )
    shared = models.BooleanField(
        _("used by several payers"),
        default=False,
        help_text=_("Confirmed for more than one payer; never matched automatically."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("known payer account")
        verbose_name_plural = _("known payer accounts")
        ordering = ["account"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "account"], name="known_account_unique")
        ]

    def __str__(self) -> str:
        return self.account


def validate_column_mapping(value: object) -> None:
    """A mapping is {file header: our field name}; "" as the field ignores that column."""
    if not isinstance(value, dict) or not value:
        raise ValidationError(
            _(
                "Give the mapping as an object of file headers and our field names, e.g. "
                '{"Dokument nr": "number"}.'
            ),
            code="invalid",
        )
    problems = []
    for header, field_name in value.items():
        if not str(header).strip():
            problems.append(_("A file header is empty."))
        elif not isinstance(field_name, str):
            problems.append(
                _('The column "%(header)s" must map to a field name (text), not %(value)r.')
                % {"header": header, "value": field_name}
            )
        elif field_name and field_name not in SYNONYMS:
            problems.append(
                _(
                    'The column "%(header)s" maps to an unknown field "%(field)s"; known fields: '
                    "%(known)s."
                )
                % {"header": header, "field": field_name, "known": ", ".join(SYNONYMS)}
            )
    if problems:
        raise ValidationError(problems, code="invalid")


class ColumnMapping(TenantOwnedModel):
    """A client's own column headers for CSV and XLSX files, by name (`--mapping NAME`).

    It wins over the header synonyms of the usual ERP exports; the default one applies to every
    file the client hands over without naming a mapping.
    """

    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(
        _("columns"),
        validators=[validate_column_mapping],
        help_text=_(
            'File header -> our field name, e.g. {"Dokument nr": "number", '
            '"Kwota do zapłaty": "outstanding_amount"}; "" ignores a column.'
        ),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used when an import names no mapping.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="column_mapping_unique_name",
                violation_error_message=_("This client already has a mapping of this name."),
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_default=True),
                name="column_mapping_one_default",
                violation_error_message=_("This client already has a default column mapping."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportSettings(TenantOwnedModel):
    """How a client's nightly files arrive: its drop folder, its import hour, snapshot or not.

    The drop folder's path is derived from the client's slug (`imports.drop_folder`), never
    entered, so no setting can point it at another client's files.
    """

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT, related_name="+")
    snapshot_mode = models.BooleanField(
        _("nightly files are full snapshots"),
        default=False,
        help_text=_(
            "Open invoices missing from a nightly file (CSV, XLSX, JSON Lines) are marked settled."
        ),
    )
    drop_folder_enabled = models.BooleanField(_("drop folder enabled"), default=False)
    import_hour = models.PositiveSmallIntegerField(
        _("import hour"),
        default=2,
        validators=[MaxValueValidator(23)],
        help_text=_("The hour (0–23, in the client's time zone) the drop folder is picked up."),
    )
    last_drop_scan_at = models.DateTimeField(_("last drop-folder scan"), null=True, blank=True)

    class Meta:
        verbose_name = _("import settings")
        verbose_name_plural = _("import settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(import_hour__lte=23), name="import_settings_hour_of_day"
            )
        ]

    def __str__(self) -> str:
        return str(self.tenant)
