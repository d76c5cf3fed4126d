"""Operator roles (the agency's own staff) are Django groups; client roles live on Membership."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OperatorRole(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    CONSULTANT = "consultant", _("Consultant")


# The Django group each role maps to, and the model permissions it carries ("app.codename").
OPERATOR_GROUP_PERMISSIONS: dict[str, list[str]] = {
    OperatorRole.ACCOUNT_MANAGER: [
        f"{app}.{action}_{model}"
        for app, model in [
            ("tenants", "tenant"),
            ("tenants", "membership"),
            ("tenants", "team"),
            ("tenants", "user"),
            ("payers", "payer"),
            ("payers", "payercontact"),
            ("invoices", "invoice"),
            ("invoices", "payment"),
        ]
        for action in ("view", "add", "change")
    ]
    + [
        "invoices.view_paymentallocation",
        "invoices.view_agingsnapshot",
        "invoices.view_invoicecorrection",
    ]
    + ["tenants.view_apikey", "tenants.add_apikey", "tenants.change_apikey"]
    + ["imports.view_importbatch", "imports.view_importrowerror", "imports.view_bankentry"]
    + [
        f"imports.{action}_{model}"
        for model in ("columnmapping", "importsettings")
        for action in ("view", "add", "change")
    ]
    + ["imports.view_knownaccount", "imports.change_knownaccount", "imports.delete_knownaccount"]
    + [
        f"dunning.{action}_{model}"
        for model in ("interestrate", "nbprate")
        for action in ("view", "add", "change")
    ]
    + ["dunning.view_compensationclaim"]
    + [f"dunning.{action}_documenttemplate" for action in ("view", "add", "change")]
    + ["dunning.view_document", "dunning.view_letterbatch"]
    + [f"stamps.{action}_stampdesign" for action in ("view", "add", "change")]
    + [
        f"contact_schedule.{action}_{model}"
        for model in (
            "scheduletemplate",
            "scheduleversion",
            "schedulestep",
            "contactwindow",
            "contactlimits",
            "operatorcontactbudget",
        )
        for action in ("view", "add", "change")
    ]
    + [
        f"contact_schedule.view_{model}"
        for model in (
            "contacttask",
            "contacttaskinvoice",
            "plannerrun",
            "outcome",
            "collectioncase",
        )
    ]
    + [
        f"contact_schedule.{action}_{model}"
        for model in ("hold", "outcomerules")
        for action in ("view", "add", "change")
    ]
    + [f"webhooks.view_{model}" for model in ("webhookendpoint", "webhookevent", "webhookdelivery")]
    + ["webhooks.change_webhookendpoint"]
    + [f"agent.{action}_callscript" for action in ("view", "add", "change")]
    + ["agent.view_callclaim"],
    OperatorRole.SUPERVISOR: [
        "tenants.view_tenant",
        "tenants.view_team",
        "payers.view_payer",
        "invoices.view_invoice",
    ],
    OperatorRole.CONSULTANT: ["payers.view_payer", "invoices.view_invoice"],
}
