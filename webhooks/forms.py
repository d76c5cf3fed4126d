from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from webhooks.events import EVENT_TYPES, subscribable_choices


class EventTypesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("Events"),
            choices=[
                (name, format_lazy("{} — {}", name, EVENT_TYPES[name]))
                for name, _label in subscribable_choices()
            ],
            required=False,
            help_text=_("Tick none to receive every event, including ones added later."),
            **kwargs,
        )


class EndpointForm(forms.Form):
    # A CharField, not URLField: the service checks the URL and says precisely what is wrong
    # (scheme, private address, DNS), rather than the form guessing "http://" in front of it.
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_(
            "The address in your ERP that receives the events, e.g. https://erp.example.pl/hooks."
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = EventTypesField()


class EndpointEditForm(EndpointForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Events are sent only to active endpoints."),
    )
