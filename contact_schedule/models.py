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
    # The payer asked to be called back then: the agent screen shows the task from that moment.
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
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
        CONSUMER_HOURS = "consumer_hours", _("Outside consumers' contact hours")
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


class OutcomeRules(models.Model):
    """How outcomes act on the schedule: the operator's defaults or a client's override."""

    tenant = client_or_operator_tenant()
    promise_grace_days = models.PositiveSmallIntegerField(
        _("grace days after a promised date"),
        default=3,
        help_text=_(
            "The invoices stay paused this long after the promised date, for the money "
            "to arrive, before the promise counts as broken."
        ),
    )
    already_paid_wait_days = models.PositiveSmallIntegerField(
        _("days to wait for a payment the payer says was made"), default=5
    )
    broken_promises_to_escalate = models.PositiveSmallIntegerField(
        _("broken promises before escalation"), default=2
    )

    objects = OperatorOrClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome rules")
        verbose_name_plural = _("outcome rules")
        constraints = [
            models.UniqueConstraint(
                Coalesce("tenant", Value(0)), name="outcome_rules_one_per_client"
            ),
            models.CheckConstraint(
                condition=Q(broken_promises_to_escalate__gte=1),
                name="outcome_rules_escalate_after_one_or_more",
            ),
        ]

    def __str__(self) -> str:
        return str(self.tenant or _("operator default"))


class Outcome(TenantOwnedModel):
    """What came of a contact (or of news from the payer): the schedule acts on it.

    Written by the agent screen, by inbound SMS, voice keypresses and status callbacks, all
    through `contact_schedule.outcomes.record_outcome`.
    """

    class Kind(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        PROMISE = "promise", _("Promise to pay")
        DISPUTE = "dispute", _("Dispute")
        ALREADY_PAID = "already_paid", _("Says already paid")
        CALLBACK = "callback", _("Call back")
        REFUSED = "refused", _("Refused")
        NOTE = "note", _("Note")

    class Source(models.TextChoices):
        AGENT = "agent", _("Consultant")
        SMS = "sms", _("Inbound SMS")
        VOICE = "voice", _("Voice message keypress")
        STATUS = "status", _("Delivery status")
        CLIENT = "client", _("Client")
        SYSTEM = "system", _("System")

    class DisputeCategory(models.TextChoices):
        QUALITY = "quality", _("Quality")
        QUANTITY = "quantity", _("Quantity")
        PRICE = "price", _("Price")
        DELIVERY = "delivery", _("Delivery")
        NOT_ORDERED = "not_ordered", _("Not ordered")
        OTHER = "other", _("Other")

    class PromiseState(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")

    class DisputeState(models.TextChoices):
        OPEN = "open", _("Awaiting the client")
        ACCEPTED = "accepted", _("Accepted by the client")
        REJECTED = "rejected", _("Rejected by the client")

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(
        ContactTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("contact task"),
    )
    kind = models.CharField(_("outcome"), max_length=15, choices=Kind)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    invoices = models.ManyToManyField(Invoice, related_name="+", verbose_name=_("invoices"))
    promised_date = models.DateField(_("promised payment date"), null=True, blank=True)
    promised_amount = money_field(_("promised amount"), null=True, blank=True)
    promise_state = models.CharField(_("promise"), max_length=10, choices=PromiseState, blank=True)
    promise_checked_at = models.DateTimeField(_("promise checked at"), null=True, blank=True)
    dispute_category = models.CharField(
        _("dispute category"), max_length=15, choices=DisputeCategory, blank=True
    )
    dispute_state = models.CharField(_("dispute"), max_length=10, choices=DisputeState, blank=True)
    dispute_resolved_at = models.DateTimeField(_("dispute resolved at"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    claimed_paid_date = models.DateField(_("says paid on"), null=True, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    contact_value = models.CharField(_("number or address"), max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.TextField(_("note"), blank=True)
    # The dunning message a status callback, inbound SMS or keypress answered: the same news
    # delivered twice (a provider's retry) is recorded once.
    message_id = models.PositiveBigIntegerField(_("message"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "payer", "created_at"]),
            models.Index(fields=["tenant", "promise_state", "promised_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="promise") | Q(promised_date__isnull=False),
                name="outcome_promise_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind="dispute") | ~Q(dispute_category=""),
                name="outcome_dispute_has_category",
            ),
            models.CheckConstraint(
                condition=Q(promised_amount__isnull=True) | Q(promised_amount__gt=0),
                name="outcome_promised_amount_positive",
            ),
            models.UniqueConstraint(
                fields=["tenant", "message_id", "kind"],
                condition=Q(message_id__isnull=False),
                name="outcome_once_per_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.payer}"


class CollectionCase(TenantOwnedModel):
    """The hand-over of a payer's invoices to the collection department (windykacja).

    Its invoices leave monitoring for good (an escalation `Hold` each); the case is exported
    as CSV or JSON and `exported_at` says when it last was.
    """

    class Reason(models.TextChoices):
        OVERDUE_90 = "overdue_90", _("90 days overdue")
        BROKEN_PROMISES = "broken_promises", _("Broken promises")
        NO_CONTACT_DATA = "no_contact_data", _("No valid contact data")
        DISPUTE_REJECTED = "dispute_rejected", _("Dispute rejected by the client")
        MANUAL = "manual", _("Decided by the operator")

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+")
    invoices = models.ManyToManyField(Invoice, related_name="+", verbose_name=_("invoices"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("escalated at"), auto_now_add=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.payer} ({self.get_reason_display()})"


class Hold(TenantOwnedModel):
    """A stop of monitoring for one invoice or, without one, all of a payer's invoices.

    In force from `starts_on` to `ends_on` (inclusive; empty: until lifted), unless lifted
    earlier. The planner skips held invoices and resumes by itself when a hold ends; rows are
    never deleted, so the history of pauses stays.
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Paused by hand")
        PROMISE = "promise", _("Promise to pay")
        DISPUTE = "dispute", _("Dispute")
        ALREADY_PAID = "already_paid", _("Awaiting a payment the payer says was made")
        BANKRUPTCY = "bankruptcy", _("Bankruptcy")
        DEATH = "death", _("Death of the payer")
        ESCALATED = "escalated", _("Escalated to collection")

    # Kinds that end monitoring for good: no end date, lifted only by hand.
    FINAL_KINDS = (Kind.BANKRUPTCY, Kind.DEATH, Kind.ESCALATED)

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice"),
        help_text=_("Empty: all of the payer's invoices."),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind, default=Kind.MANUAL)
    reason = models.CharField(_("reason"), max_length=300)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Inclusive. Empty: until lifted.")
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="holds"
    )
    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pause / stop")
        verbose_name_plural = _("pauses and stops")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["invoice", "starts_on"], name="hold_invoice_idx"),
            models.Index(fields=["payer", "starts_on"], name="hold_payer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="hold_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        target = self.invoice or self.payer
        return f"{self.get_kind_display()}: {target}"

    def in_force_on(self, day: datetime.date) -> bool:
        return (
            self.lifted_at is None
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.MANUAL and self.ends_on is None:
            errors["ends_on"] = _("A pause needs an end date; it resumes by itself then.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The pause must end on or after the day it starts.")
        if self.invoice_id and self.payer_id and self.invoice.payer_id != self.payer_id:
            errors["invoice"] = _("The invoice belongs to another payer.")
        if self.payer_id and self.tenant_id and self.payer.tenant_id != self.tenant_id:
            errors["payer"] = _("The payer belongs to another client.")
        if errors:
            raise ValidationError(errors)
