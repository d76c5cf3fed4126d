"""The operator's default call scripts (Polish), one per stage; account managers edit them in
admin or give a client its own."""

from django.db import migrations

SCRIPTS = {
    "pre_due": (
        "Rozmowa przypominająca (przed terminem)",
        "Dzień dobry, nazywam się {consultant}, dzwonię w imieniu firmy {client}.\n"
        "Czy rozmawiam z osobą odpowiedzialną za płatności w {payer}?\n"
        "Chciałam/chciałem uprzejmie przypomnieć, że zbliża się termin płatności faktur "
        "{invoices} na łączną kwotę {amount} — termin: {due_date}.\n"
        "Czy płatność jest już zaplanowana? Kiedy możemy się jej spodziewać?\n"
        "Dziękuję, życzę miłego dnia.",
    ),
    "overdue": (
        "Rozmowa w sprawie zaległej płatności",
        "Dzień dobry, nazywam się {consultant}, dzwonię w imieniu firmy {client} w sprawie "
        "monitorowanych należności.\n"
        "Czy rozmawiam z osobą odpowiedzialną za płatności w {payer}?\n"
        "Na koncie pozostaje do zapłaty {amount} (faktury: {invoices}); najstarsza jest "
        "przeterminowana o {days_overdue} dni.\n"
        "Kiedy możemy spodziewać się wpłaty i w jakiej kwocie?\n"
        "Jeżeli faktura jest kwestionowana — proszę powiedzieć, czego dotyczy zastrzeżenie.\n"
        "Przypominam, że nieuregulowana należność zostanie przekazana do windykacji.",
    ),
}


def add_defaults(apps, schema_editor):
    CallScript = apps.get_model("agent", "CallScript")
    for stage, (title, text) in SCRIPTS.items():
        CallScript.objects.get_or_create(
            tenant=None, stage=stage, defaults={"title": title, "text": text}
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("agent", "CallScript").objects.filter(tenant=None).delete()


class Migration(migrations.Migration):
    dependencies = [("agent", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
