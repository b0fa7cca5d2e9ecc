"""Who the CLI acts as (SPEC §19): the operator whose API token is in HOSS_OPERATOR_TOKEN, looked up like the API's;
else the shell identity `cli`, the install's owner (whoever holds DATABASE_URL owns the install). Never a typed name.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.audit import Actor
from core.config.context import AppContext
from core.errors import InvalidInput

REMOVED_ACTOR = ("--actor is gone: the CLI acts as the operator whose API token is in HOSS_OPERATOR_TOKEN "
                 "(`operator token NAME` issues one), else as cli, the install's owner")


def typed_actor(argv: Sequence[str]) -> bool:
    """Whether the command line still names an actor with the removed `--actor` option."""
    return any(arg == "--actor" or arg.startswith("--actor=") for arg in argv)


def cli_actor(ctx: AppContext) -> Actor:
    """The CLI's identity: HOSS_OPERATOR_TOKEN's operator, else the shell (`cli`); InvalidInput for a dead token."""
    from core.app.api import authenticate
    from core.app.http import ApiError
    from core.approvals.operators import SHELL

    token = ctx.settings.secret("hoss_operator_token")
    if not token:
        return SHELL
    with ctx.sessions() as session:
        try:
            return authenticate(session, ctx.settings, f"Bearer {token}")
        except ApiError as exc:
            raise InvalidInput(f"HOSS_OPERATOR_TOKEN is not the token of an active operator ({exc.message}); "
                               "issue one with `operator token NAME`") from None
        finally:
            session.rollback()
