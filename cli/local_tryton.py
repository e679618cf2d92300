"""The local development Tryton (``docket infra up --erp``) as settings: the one place the commands
turn the dev stack's instance into ``DOCKET_TRYTON_*`` values. Workers never fall back to it; the
demo, ``docket erp sync`` without ``DOCKET_TRYTON_URL`` and ``docket infra up --erp`` use it, and say so.
"""

from __future__ import annotations

from pydantic import SecretStr

from streams.settings import Settings

TRYTON_FIELDS = ("tryton_url", "tryton_database", "tryton_login", "tryton_password")


def local_tryton_settings(settings: Settings) -> Settings:
    """``settings`` pointed at the Tryton that ``infra/`` runs under ``settings.tryton_state_dir``.

    Raises :class:`infra.tryton.TrytonInfraError` when none runs there.
    """
    from infra import tryton

    found = tryton.connection(settings.tryton_state_dir)
    return settings.model_copy(update={"tryton_url": found["url"], "tryton_database": found["database"],
                                       "tryton_login": found["login"], "tryton_password": SecretStr(found["password"])})


def tryton_env(settings: Settings) -> dict[str, str]:
    """The ``DOCKET_TRYTON_*`` variables that point a worker at the Tryton ``settings`` name."""
    env = settings.to_env()
    return {name: env[name] for name in (f"DOCKET_{field.upper()}" for field in TRYTON_FIELDS) if name in env}
