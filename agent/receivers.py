"""Keeps the agent screen's cached team clients true: any change of who serves which client, or of
a client's status, makes every consultant's cached list stale (`selectors.teams_changed`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from agent.selectors import teams_changed
from tenants.models import Team, Tenant


@receiver(m2m_changed, sender=Team.members.through)
@receiver(m2m_changed, sender=Team.clients.through)
def _team_links_changed(action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _after_commit()


@receiver(post_save, sender=Team)
@receiver(post_delete, sender=Team)
@receiver(post_save, sender=Tenant)
@receiver(post_delete, sender=Tenant)
def _team_or_client_changed(**kwargs) -> None:
    _after_commit()


def _after_commit() -> None:
    """Now and once the change is committed: a consultant asking in between would otherwise
    cache the old teams under the new generation, for CLIENTS_SECONDS."""
    teams_changed()
    transaction.on_commit(teams_changed)
