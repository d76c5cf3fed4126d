"""A client's prevention-stamp designs. Their validity is the client's contract (tenants.Tenant),
so a stamp stops verifying by itself when the contract ends; a design can also be revoked."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel

# No 0/O, 1/I/L: people type the code from paper. 31 symbols ** 10 ≈ 2 ** 49.5 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# What stamp makers make; the form says so in words, these guard the admin too.
MIN_SIZE_MM, MAX_SIZE_MM = Decimal("10"), Decimal("150")
SIZE_VALIDATORS = [MinValueValidator(MIN_SIZE_MM), MaxValueValidator(MAX_SIZE_MM)]


def new_verification_code() -> str:
    """An unguessable short code for the public verification page `/v/<code>`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class StampDesign(TenantOwnedModel):
    class Form(models.TextChoices):
        MECHANICAL = "mechanical", _("Mechanical (rubber stamp)")
        ELECTRONIC = "electronic", _("Electronic (with QR code)")

    class Shape(models.TextChoices):
        RECTANGULAR = "rectangular", _("Rectangular")
        ROUND = "round", _("Round")

    name = models.CharField(_("name"), max_length=100)
    form = models.CharField(_("form"), max_length=10, choices=Form, default=Form.ELECTRONIC)
    shape = models.CharField(_("shape"), max_length=11, choices=Shape, default=Shape.RECTANGULAR)
    # A round stamp's diameter is its width (and height).
    width_mm = models.DecimalField(
        _("width (mm)"), max_digits=5, decimal_places=1, validators=SIZE_VALIDATORS
    )
    height_mm = models.DecimalField(
        _("height (mm)"), max_digits=5, decimal_places=1, validators=SIZE_VALIDATORS
    )
    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#1F3A93",
        validators=[
            RegexValidator(
                r"^#[0-9A-F]{6}$",
                _("Enter the colour as # and six hexadecimal digits, e.g. #1F3A93."),
            )
        ],
    )
    text = models.TextField(_("text lines"), help_text=_("One line of the stamp per line."))
    code = models.CharField(
        _("verification code"),
        max_length=16,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("why revoked"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stamp design")
        verbose_name_plural = _("stamp designs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(width_mm__gt=0) & Q(height_mm__gt=0), name="stamp_size_positive"
            ),
            models.CheckConstraint(
                condition=~Q(shape="round") | Q(width_mm=models.F("height_mm")),
                name="stamp_round_is_circle",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_electronic(self) -> bool:
        return self.form == self.Form.ELECTRONIC

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    @property
    def size_label(self) -> str:
        if self.shape == self.Shape.ROUND:
            return f"Ø{_mm(self.width_mm)} mm"
        return f"{_mm(self.width_mm)}×{_mm(self.height_mm)} mm"

    @property
    def size_slug(self) -> str:
        """The size for file names: `58x22mm`, `d40mm`."""
        if self.shape == self.Shape.ROUND:
            return f"d{_mm(self.width_mm)}mm"
        return f"{_mm(self.width_mm)}x{_mm(self.height_mm)}mm"


def _mm(value: Decimal) -> str:
    return f"{value.normalize():f}"
