"""CLI verb `doctor`: one line per check of the deployment (database, schema, roles, witness, key); exit 1 on a failure."""

from __future__ import annotations

import argparse

from core.app.cli import command
from core.config.settings import load_settings


def add_parsers(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("doctor", help="check the database, migrations, the runtime role, the audit witness and "
                                  "HOSS_SECRET_KEY (exit 1 when one fails)")


@command("doctor")
def cmd_doctor(args: argparse.Namespace) -> int:
    from core.app.context import configure_logging
    from core.app.doctor import run_doctor

    settings = load_settings()
    configure_logging(settings)
    findings = run_doctor(settings)
    for finding in findings:
        print(finding.line())
    return 0 if all(f.ok for f in findings) else 1
