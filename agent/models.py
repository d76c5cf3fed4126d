"""The consultant's hold on a call (claim with a lease) and the per-client call scripts.

A claim is the agent screen's own record, not a field on `ContactTask` (contracts §4): one row per
time a consultant took a task, kept after it ends, so the supervisor's per-consultant figures and
the payer's history read from it. "Active" means not released; a lease that ran out is released
by the next claim (`services.expire_stale_claims`), so the partial unique constraints below hold
the rule "two consultants never hold the same task or the same payer at once" in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contact_schedule.models import ContactTask, OperatorOrClientQuerySet, client_or_operator_tenant
from invoices.models import money_field
from payers.models import Payer
from tenants.scoping import TenantOwnedModel


class CallClaim(TenantOwnedModel):
    class Ending(models.TextChoices):
        OUTCOME = "outcome", _("Outcome recorded")
        RELEASED = "released", _("Released by the consultant")
        EXPIRED = "expired", _("Lease expired")
        SUPERVISOR = "supervisor", _("Released by a supervisor")
        REASSIGNED = "reassigned", _("Reassigned")

    task = models.ForeignKey(ContactTask, on_delete=models.PROTECT, related_name="+")
    # Copied from the task so the database can refuse a second active claim on the same payer.
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_claims",
        verbose_name=_("consultant"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    lease_until = models.DateTimeField(_("lease until"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    ending = models.CharField(_("ending"), max_length=12, choices=Ending, blank=True)
    call_started_at = models.DateTimeField(_("call started"), null=True, blank=True)
    call_ended_at = models.DateTimeField(_("call ended"), null=True, blank=True)
    call_reference = models.CharField(_("call reference"), max_length=64, blank=True)
    outcome_kind = models.CharField(_("outcome"), max_length=20, blank=True)
    promised_amount = money_field(_("promised amount"), null=True, blank=True)

    class Meta:
        verbose_name = _("call claim")
        verbose_name_plural = _("call claims")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(released_at__isnull=True),
                name="call_claim_one_active_per_task",
            ),
            models.UniqueConstraint(
                fields=["payer"],
                condition=Q(released_at__isnull=True),
                name="call_claim_one_active_per_payer",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | ~Q(ending=""),
                name="call_claim_released_has_ending",
            ),
        ]
        indexes = [
            models.Index(fields=["consultant", "claimed_at"]),
            models.Index(
                fields=["lease_until"],
                condition=Q(released_at__isnull=True),
                name="call_claim_active_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} → {self.payer}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None and self.lease_until > timezone.now()

    @property
    def talk_seconds(self) -> int:
        if self.call_started_at and self.call_ended_at:
            return int((self.call_ended_at - self.call_started_at).total_seconds())
        return 0


class CallScript(models.Model):
    """What the consultant says at one stage: the operator's default text or a client's own.

    Placeholders in braces are filled on the payer card: {payer}, {client}, {amount},
    {invoices}, {due_date}, {days_overdue}, {consultant}. Unknown ones are left as written.
    """

    class Stage(models.TextChoices):
        PRE_DUE = "pre_due", _("Courtesy call before the due date")
        OVERDUE = "overdue", _("Overdue call")

    tenant = client_or_operator_tenant()
    stage = models.CharField(_("stage"), max_length=10, choices=Stage)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("script"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperatorOrClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        ordering = ["tenant__name", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage"],
                condition=Q(tenant__isnull=True),
                name="call_script_one_operator_default",
            ),
            models.UniqueConstraint(
                fields=["tenant", "stage"],
                condition=Q(tenant__isnull=False),
                name="call_script_one_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} ({self.tenant or _('operator default')})"
