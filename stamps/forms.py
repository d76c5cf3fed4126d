"""The stamp design form: presets for the usual sizes and colours, or custom values, checked."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from stamps.models import MAX_SIZE_MM, MIN_SIZE_MM, StampDesign

CUSTOM = "custom"
# Sizes stamp makers stock: (width, height, shape).
SIZE_PRESETS = {
    "58x22": (Decimal("58"), Decimal("22"), StampDesign.Shape.RECTANGULAR),
    "47x18": (Decimal("47"), Decimal("18"), StampDesign.Shape.RECTANGULAR),
    "38x14": (Decimal("38"), Decimal("14"), StampDesign.Shape.RECTANGULAR),
    "d40": (Decimal("40"), Decimal("40"), StampDesign.Shape.ROUND),
}
SIZE_CHOICES = [
    ("58x22", "58 × 22 mm"),
    ("47x18", "47 × 18 mm"),
    ("38x14", "38 × 14 mm"),
    ("d40", "Ø 40 mm"),
    (CUSTOM, _("Custom size")),
]
COLOR_PRESETS = {
    "#1F3A93": _("Navy blue"),
    "#C0392B": _("Red"),
    "#000000": _("Black"),
    "#1E7B34": _("Green"),
    "#6C3483": _("Violet"),
}
COLOR_CHOICES = [*COLOR_PRESETS.items(), (CUSTOM, _("Custom colour"))]
MIN_MM, MAX_MM = MIN_SIZE_MM, MAX_SIZE_MM
MAX_LINES, MAX_LINE_LENGTH = 8, 80
HEX_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})$")
# Above this relative luminance a QR code in that ink is too pale for phone cameras.
MAX_QR_LUMINANCE = 0.4


class StampDesignForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("For you, e.g. 'Invoices 2026'.")
    )
    # Not called "form": an input of that name hides the <form> element's own `form` property.
    form_kind = forms.ChoiceField(
        label=_("Form"),
        choices=StampDesign.Form.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "An electronic stamp carries a QR code and a code leading to a public page that "
            "confirms the monitoring."
        ),
    )
    shape = forms.ChoiceField(
        label=_("Shape"), choices=StampDesign.Shape.choices, widget=forms.RadioSelect
    )
    size = forms.ChoiceField(label=_("Size"), choices=SIZE_CHOICES)
    width_mm = forms.CharField(
        label=_("Width or diameter (mm)"), required=False, widget=forms.TextInput({"size": 6})
    )
    height_mm = forms.CharField(
        label=_("Height (mm)"), required=False, widget=forms.TextInput({"size": 6})
    )
    color_preset = forms.ChoiceField(label=_("Colour"), choices=COLOR_CHOICES)
    color = forms.CharField(
        label=_("Custom colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput({"size": 8, "placeholder": "#1F3A93"}),
    )
    text = forms.CharField(
        label=_("Text lines"),
        error_messages={"required": _("Write at least one line of text.")},
        widget=forms.Textarea({"rows": 6, "cols": 50}),
        help_text=_(
            "One line of the stamp per line. A round stamp runs the first line along the top and "
            "the second along the bottom, the others in the middle; an electronic one runs the "
            "first two lines along the top, its code along the bottom and its QR code in the "
            "middle."
        ),
    )

    @classmethod
    def initial_for(cls, design: StampDesign) -> dict[str, object]:
        """The form's values for an existing design (its size and colour as presets if they are)."""
        size = next(
            (
                key
                for key, (width, height, shape) in SIZE_PRESETS.items()
                if (width, height, shape) == (design.width_mm, design.height_mm, design.shape)
            ),
            CUSTOM,
        )
        preset = design.color if design.color in COLOR_PRESETS else CUSTOM
        return {
            "name": design.name,
            "form_kind": design.form,
            "shape": design.shape,
            "size": size,
            "width_mm": f"{design.width_mm.normalize():f}",
            "height_mm": f"{design.height_mm.normalize():f}",
            "color_preset": preset,
            "color": design.color,
            "text": design.text,
        }

    def clean_text(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["text"].splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(
                _("A stamp holds at most %(max)d lines; this text has %(count)d."),
                params={"max": MAX_LINES, "count": len(lines)},
            )
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_LINE_LENGTH:
                raise forms.ValidationError(
                    _("Line %(number)d has %(length)d characters; at most %(max)d fit on a stamp."),
                    params={"number": number, "length": len(line), "max": MAX_LINE_LENGTH},
                )
        if not lines:
            raise forms.ValidationError(_("Write at least one line of text."))
        return "\n".join(lines)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if "form_kind" in data:
            data["form"] = data["form_kind"]
        self._clean_size(data)
        self._clean_color(data)
        return data

    def _clean_size(self, data: dict[str, object]) -> None:
        shape, size = data.get("shape"), data.get("size")
        if not shape or not size:
            return
        if size != CUSTOM:
            width, height, preset_shape = SIZE_PRESETS[size]
            if preset_shape != shape:
                self.add_error(
                    "size",
                    _("This size is for a round stamp; choose a rectangular size or Custom.")
                    if preset_shape == StampDesign.Shape.ROUND
                    else _("This size is for a rectangular stamp; choose Ø 40 mm or Custom."),
                )
                return
            data["width_mm"], data["height_mm"] = width, height
            return
        data["width_mm"] = self._millimetres(data.get("width_mm"), "width_mm")
        if shape == StampDesign.Shape.ROUND:
            data["height_mm"] = data["width_mm"]
        else:
            data["height_mm"] = self._millimetres(data.get("height_mm"), "height_mm")

    def _millimetres(self, raw: object, field: str) -> Decimal | None:
        text = str(raw or "").strip().replace(",", ".")
        if not text:
            self.add_error(field, _("Enter the size in millimetres for a custom size."))
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.add_error(field, _("Enter a number of millimetres, e.g. 58 or 22.5."))
            return None
        if not value.is_finite():
            self.add_error(field, _("Enter a number of millimetres, e.g. 58 or 22.5."))
            return None
        if value < MIN_MM or value > MAX_MM:
            self.add_error(
                field,
                _("%(value)s mm is outside what stamp makers make: %(min)s–%(max)s mm.")
                % {"value": text, "min": MIN_MM, "max": MAX_MM},
            )
            return None
        if value != value.quantize(Decimal("0.1")):
            self.add_error(field, _("Give the size to a tenth of a millimetre at most."))
            return None
        return value

    def _clean_color(self, data: dict[str, object]) -> None:
        preset = data.get("color_preset")
        if not preset:
            return
        if preset != CUSTOM:
            data["color"] = preset
        else:
            match = HEX_COLOR.match(str(data.get("color") or "").strip())
            if match is None:
                self.add_error(
                    "color",
                    _("Enter the colour as # and six hexadecimal digits, e.g. #1F3A93."),
                )
                return
            data["color"] = "#" + match.group(1).upper()
        if data.get("form_kind") == StampDesign.Form.ELECTRONIC and (
            relative_luminance(data["color"]) > MAX_QR_LUMINANCE
        ):
            self.add_error(
                "color_preset" if preset != CUSTOM else "color",
                _("This colour is too light for phones to read the QR code; choose a darker one."),
            )


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of `#RRGGBB`: 0 for black, 1 for white."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
