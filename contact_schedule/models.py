"""Schedules (templates, versions, steps), contact windows and limits, and the planned tasks.

Ownership. Schedules, windows and limits exist at two levels: the operator's defaults, which every
client uses unless it has its own, and a client's copies. Both live in one table with a nullable
`tenant`: NULL is the operator's row, otherwise the client's. These models therefore do not inherit
`TenantOwnedModel` (whose tenant is required) but use its queryset, so `for_tenant(tenant)` is still
the one way to reach a client's rows; `operator_defaults()` reaches the operator's. Clients never
see these rows (account managers edit them in admin), and a client's copy is never shared: the
constraints allow one copy per client and purpose. What is planned for a client — `ContactTask` and
its invoices — is tenant-owned as usual.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from invoices.models import Invoice, money_field
from payers.models import Payer
from tenants.scoping import TenantOwnedModel, TenantQuerySet


class Channel(models.TextChoices):
    CALL = "call", _("Phone call")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("Voice message")
    EMAIL = "email", _("E-mail")
    DEMAND_LETTER = "demand_letter", _("Payment demand")  # wezwanie do zapłaty
    INTEREST_NOTE = "interest_note", _("Interest note")  # nota odsetkowa
    # Not a contact: the hand-over to the collection department; the planner leaves it to the
    # escalation service.
    ESCALATION = "escalation", _("Escalation to collection")


CONTACT_CHANNELS = [channel for channel in Channel if channel != Channel.ESCALATION]


class OperatorOrClientQuerySet(TenantQuerySet):
    def operator_defaults(self) -> OperatorOrClientQuerySet:
        return self.filter(tenant__isnull=True)


def client_or_operator_tenant() -> models.ForeignKey:
    return models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
        help_text=_("Empty: the operator's default, used by every client without its own."),
    )


class ScheduleTemplate(models.Model):
    """A contact schedule: the operator's default (no client) or one client's own copy.

    Its content lives in versions; the planner uses the newest published one.
    """

    tenant = client_or_operator_tenant()
    purpose = models.CharField(
        _("used for"),
        max_length=10,
        choices=Invoice.MonitoringMode,
        default=Invoice.MonitoringMode.PROGRAM,
    )
    name = models.CharField(_("name"), max_length=120)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OperatorOrClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("schedule template")
        verbose_name_plural = _("schedule templates")
        ordering = ["tenant__name", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(tenant__isnull=True),
                name="schedule_template_one_operator_default",
            ),
            models.UniqueConstraint(
                fields=["tenant", "purpose"],
                condition=Q(tenant__isnull=False),
                name="schedule_template_one_per_client",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleVersion(models.Model):
    """One version of a template. Once published it never changes: tasks point at its steps."""

    template = models.ForeignKey(
        ScheduleTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="schedule_version_unique_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="schedule_version_from_one"),
        ]

    def __str__(self) -> str:
        state = _("published") if self.is_published else _("draft")
        return f"{self.template} v{self.number} ({state})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ScheduleStep(models.Model):
    """One contact of a schedule, `offset_days` from the invoice's due date.

    Negative offsets are before the due date. `day_kind` says whether they count calendar days
    (the default: "+7" is a week after the due date) or business days ("3 business days before").
    Either way a step landing on a closed day moves (`calendar.move_to_contact_day`).
    """

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", _("Calendar days")
        BUSINESS = "business", _("Business days")

    version = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    offset_days = models.SmallIntegerField(
        _("days from the due date"), help_text=_("Negative: before the due date.")
    )
    day_kind = models.CharField(
        _("counted in"), max_length=8, choices=DayKind, default=DayKind.CALENDAR
    )
    channel = models.CharField(_("channel"), max_length=15, choices=Channel)
    message_template = models.CharField(
        _("message template"),
        max_length=60,
        help_text=_("The key of the script, text or document used, e.g. 'courtesy_call'."),
    )
    min_outstanding = money_field(
        _("only from an outstanding amount of"),
        null=True,
        blank=True,
        help_text=_("The invoice's outstanding amount; empty: any amount."),
    )
    payer_kind = models.CharField(
        _("only for payers"),
        max_length=10,
        choices=Payer.Kind,
        blank=True,
        help_text=_("Empty: businesses and consumers."),
    )
    only_if_no_response = models.BooleanField(
        _("only if the previous step got no response"), default=False
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=1, help_text=_("Calls: how many tries on the day.")
    )
    retry_interval_minutes = models.PositiveSmallIntegerField(
        _("minutes between attempts"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("schedule step")
        verbose_name_plural = _("schedule steps")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="schedule_step_unique_position"
            ),
            models.CheckConstraint(condition=Q(attempts__gte=1), name="schedule_step_attempts"),
            models.CheckConstraint(
                condition=Q(min_outstanding__isnull=True) | Q(min_outstanding__gte=0),
                name="schedule_step_min_outstanding_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(attempts=1) | Q(retry_interval_minutes__isnull=False),
                name="schedule_step_retries_have_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offset_days:+d} {self.get_channel_display()}"

    @property
    def business_days(self) -> bool:
        return self.day_kind == self.DayKind.BUSINESS

    def clean(self) -> None:
        if self.version_id and self.version.is_published:
            raise ValidationError(
                _("Version %(number)s is published and cannot change; draft a new version.")
                % {"number": self.version.number}
            )
        if self.attempts and self.attempts > 1 and not self.retry_interval_minutes:
            raise ValidationError(
                {"retry_interval_minutes": _("Say how long to wait between attempts.")}
            )


class ContactWindow(models.Model):
    """The hours a channel may reach payers: weekdays, and Saturdays when set.

    Never on Sundays or public holidays (DOMAIN.md §4). The operator's rows (no client) are the
    defaults; a client's row for a channel overrides it.
    """

    tenant = client_or_operator_tenant()
    channel = models.CharField(_("channel"), max_length=15, choices=Channel)
    weekday_start = models.TimeField(_("Monday–Friday from"))
    weekday_end = models.TimeField(_("Monday–Friday until"))
    saturday_start = models.TimeField(_("Saturday from"), null=True, blank=True)
    saturday_end = models.TimeField(_("Saturday until"), null=True, blank=True)

    objects = OperatorOrClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact window")
        verbose_name_plural = _("contact windows")
        ordering = ["tenant__name", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(tenant__isnull=True),
                name="contact_window_one_operator_default",
            ),
            models.UniqueConstraint(
                fields=["tenant", "channel"],
                condition=Q(tenant__isnull=False),
                name="contact_window_one_per_client",
            ),
            models.CheckConstraint(
                condition=Q(weekday_start__lt=F("weekday_end")),
                name="contact_window_weekday_order",
            ),
            models.CheckConstraint(
                condition=Q(saturday_start__isnull=True, saturday_end__isnull=True)
                | Q(saturday_start__lt=F("saturday_end")),
                name="contact_window_saturday_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ({self.tenant or _('operator default')})"

    @property
    def has_saturday(self) -> bool:
        return self.saturday_start is not None

    def hours_on(self, day: datetime.date) -> tuple[datetime.time, datetime.time] | None:
        """The window's (start, end) on `day`'s weekday; None on Sundays and window-less Saturdays.

        Public holidays are the calendar's business, not the window's.
        """
        weekday = day.weekday()
        if weekday < 5:
            return self.weekday_start, self.weekday_end
        if weekday == 5 and self.has_saturday:
            return self.saturday_start, self.saturday_end
        return None

    def clean(self) -> None:
        if (self.saturday_start is None) != (self.saturday_end is None):
            raise ValidationError(_("Give both Saturday hours, or neither."))
        if self.weekday_start and self.weekday_end and self.weekday_start >= self.weekday_end:
            raise ValidationError({"weekday_end": _("The window must end after it starts.")})
        if self.saturday_start and self.saturday_end and self.saturday_start >= self.saturday_end:
            raise ValidationError({"saturday_end": _("The window must end after it starts.")})


class ContactLimits(models.Model):
    """How often one payer of one client may be contacted (operator default or client override).

    Defaults from the good-practice rules in DOMAIN.md §4 (UOKiK, KPF): one reached conversation
    and three call attempts a day, two SMS a week. Consumers get the gentler of any two settings.
    The planner enforces them when it writes a day's tasks (`contact_schedule.limits`): a contact
    over a limit is deferred, never dropped.
    """

    tenant = client_or_operator_tenant()
    max_contacts_per_day = models.PositiveSmallIntegerField(_("contacts per day"), default=1)
    max_contacts_per_week = models.PositiveSmallIntegerField(_("contacts per week"), default=3)
    max_call_attempts_per_day = models.PositiveSmallIntegerField(
        _("call attempts per day"), default=3
    )
    max_sms_per_week = models.PositiveSmallIntegerField(_("SMS per week"), default=2)
    min_hours_between_contacts = models.PositiveSmallIntegerField(
        _("minimum hours between two contacts"), default=4
    )

    objects = OperatorOrClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact limits")
        verbose_name_plural = _("contact limits")
        constraints = [
            # One row per client and one operator row (NULL counts as client 0).
            models.UniqueConstraint(
                Coalesce("tenant", Value(0)), name="contact_limits_one_per_client"
            ),
        ]

    def __str__(self) -> str:
        return str(self.tenant or _("operator default"))


class OperatorContactBudget(models.Model):
    """The operator's budget per payer NIP across all clients (one row).

    A company monitored for several clients is still one company: together, all clients' contacts
    with its NIP stay within these figures (DOMAIN.md §4). The dispatcher counts them across
    tenants and uses only the count, so nothing of one client is shown to another (the planner,
    `contact_schedule.limits`).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    max_calls_per_day = models.PositiveSmallIntegerField(_("calls per day per NIP"), default=3)
    max_sms_per_week = models.PositiveSmallIntegerField(_("SMS per week per NIP"), default=2)
    quiet_hours_start = models.TimeField(_("quiet from"), default=datetime.time(20, 0))
    quiet_hours_end = models.TimeField(_("quiet until"), default=datetime.time(8, 0))

    class Meta:
        verbose_name = _("operator contact budget")
        verbose_name_plural = _("operator contact budget")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="contact_budget_single_row")]

    def __str__(self) -> str:
        return str(_("Operator contact budget"))


class ContactTask(TenantOwnedModel):
    """One planned contact with one payer on one day, covering all its invoices due for contact.

    The unique (tenant, payer, planned_date) makes the planner idempotent: one task per payer per
    day. `step` is the most advanced stage among the invoices; each covered invoice keeps its own
    stage in `ContactTaskInvoice`.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DEFERRED = "deferred", _("Deferred")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    # The unique (tenant, payer, planned_date) serves lookups by tenant and payer: the planner
    # writes tens of thousands of tasks a night, so no single-column index repeats it.
    # Tenant and step have no database constraint (on both task tables): they point at a handful
    # of rows never deleted (clients are suspended, published steps never change; Django's
    # PROTECT still refuses deleting them), and checking them cost a quarter of a night's plan.
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+", db_index=False)
    planned_date = models.DateField(_("planned for"), help_text=_("In the client's time zone."))
    channel = models.CharField(_("channel"), max_length=15, choices=Channel)
    step = models.ForeignKey(
        ScheduleStep, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    invoices = models.ManyToManyField(
        Invoice, through="ContactTaskInvoice", related_name="+", verbose_name=_("invoices")
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PLANNED)
    window_start = models.DateTimeField(_("window opens"))
    window_end = models.DateTimeField(_("window closes"))
    # Set by the outcome of the contact (next: Outcome records); a step with "only if the
    # previous step got no response" looks at it.
    responded_at = models.DateTimeField(_("payer responded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact task")
        verbose_name_plural = _("contact tasks")
        ordering = ["planned_date", "window_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "payer", "planned_date"], name="contact_task_one_per_payer_day"
            ),
            models.CheckConstraint(
                condition=Q(window_start__lt=F("window_end")), name="contact_task_window_order"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "planned_date", "state"])]

    def __str__(self) -> str:
        return f"{self.planned_date} {self.get_channel_display()}: {self.payer}"

    # --- Limits and deferral (the planner, contact_schedule.limits) ---------------------------
    class DeferralReason(models.TextChoices):
        NOT_DONE = "not_done", _("Its window passed without the contact")
        CONTACTS_PER_DAY = "per_day", _("Contacts per day")
        CONTACTS_PER_WEEK = "per_week", _("Contacts per week")
        SMS_PER_WEEK = "sms_per_week", _("SMS per week")
        MIN_INTERVAL = "min_interval", _("Too soon after the last contact")
        # Operator staff only: shown to a client it would hint at another client's contacts.
        OPERATOR_BUDGET = "budget", _("Operator budget for this NIP")

    attempts = models.PositiveSmallIntegerField(
        _("call attempts"), default=1, help_text=_("Calls: tries allowed on the day.")
    )
    deferred_reason = models.CharField(
        _("deferred because"), max_length=15, choices=DeferralReason, blank=True
    )
    # A deferred task's contact is carried by the payer's task of this later day (one task per
    # payer per day); empty while it waits for a day with an open window.
    deferred_to = models.DateField(_("carried into the day"), null=True, blank=True)


class ContactTaskInvoice(TenantOwnedModel):
    """An invoice covered by a task, with the stage (step) that invoice was at that day."""

    # Only two indexes: the unique (task, invoice) and (invoice, step), which the planner's
    # "no response to the previous step" probe uses. Single-column indexes on tenant or step
    # would tempt PostgreSQL into scanning them, while the table fills, for every probe.
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    task = models.ForeignKey(
        ContactTask, on_delete=models.CASCADE, related_name="covered", db_index=False
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+", db_index=False)
    step = models.ForeignKey(
        ScheduleStep,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("invoice of a contact task")
        verbose_name_plural = _("invoices of a contact task")
        constraints = [
            models.UniqueConstraint(fields=["task", "invoice"], name="contact_task_invoice_unique")
        ]
        indexes = [models.Index(fields=["invoice", "step"])]


class PlannerRun(TenantOwnedModel):
    """A client's planned day: claimed by the first planner run, so beat plans each day once."""

    planned_date = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    tasks_created = models.PositiveIntegerField(_("tasks created"), default=0)

    class Meta:
        verbose_name = _("planner run")
        verbose_name_plural = _("planner runs")
        ordering = ["-planned_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "planned_date"], name="planner_run_one_per_day"
            )
        ]
