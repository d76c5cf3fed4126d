"""`manage.py import_feed`: imports now, prints the summary, exits non-zero on rejected rows."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from invoices.models import Invoice
from tests.imports.conftest import FEED


def test_imports_a_file_and_prints_the_counts(swiezak, capsys):
    call_command("import_feed", "--tenant", "swiezak", str(FEED / "invoices.jsonl"))

    out = capsys.readouterr().out
    assert "created 40" in out and "rejected 0" in out
    assert Invoice.objects.for_tenant(swiezak).count() == 40


def test_rejected_rows_give_exit_status_1_and_the_first_errors(swiezak, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_feed", "--tenant", "swiezak", str(FEED / "broken_values.csv"))

    assert exit_info.value.code == 1
    assert "line " in capsys.readouterr().out


def test_a_refused_file_gives_exit_status_2(swiezak):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_feed", "--tenant", "swiezak", str(FEED / "missing_columns.csv"))
    assert exit_info.value.code == 2


def test_an_unknown_client_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no client with the slug 'nobody'"):
        call_command("import_feed", "--tenant", "nobody", str(FEED / "invoices.jsonl"))
