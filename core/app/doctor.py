"""`python -m core doctor`: is this deployment what SPEC §19 asks for? One finding per check, read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core.audit.chain import witness_problem
from core.audit.seal import AuditKey
from core.audit.witness import database_identity, read_witness, witness_path
from core.config.settings import Settings
from db.engine import DatabaseUnavailable, check_connection, make_engine, resolve_database_urls
from db.migrate import schema_revisions

ROLES_HINT = 'see "Database roles" in the README'

# What the role the processes connect as could do to the schema: own it (or be a member of its owner, or a
# superuser), or change audit_log beyond INSERT. Each guarded by to_regclass, so an unmigrated database answers.
RUNTIME_ROLE_POWERS = text("""
    SELECT current_user AS role, r.rolsuper AS superuser,
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'USAGE'))
               AS owned,
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')) AS tables,
           CASE WHEN to_regclass('public.audit_log') IS NULL THEN false
                ELSE has_table_privilege('public.audit_log', 'UPDATE, DELETE, TRUNCATE') END AS audit_writable
    FROM pg_roles r WHERE r.rolname = current_user
""")
AUDIT_LOG_EMPTY = text("SELECT to_regclass('public.audit_log') IS NULL OR NOT EXISTS (SELECT 1 FROM audit_log)")


@dataclass(frozen=True)
class Finding:
    """One check's outcome, as the line a person reads."""

    ok: bool
    text: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAILED'}: {self.text}"


def run_doctor(settings: Settings) -> list[Finding]:
    """Every check, in order; the database ones are skipped (and said so) when it cannot be reached."""
    urls = resolve_database_urls(settings)
    engine = make_engine(urls.runtime, pool_size=1, application_name="hossagent-doctor")
    findings: list[Finding] = []
    try:
        check_connection(engine)
        findings.append(Finding(True, f"database reachable ({engine.url.render_as_string(hide_password=True)})"))
        with engine.connect() as conn:
            findings += [_schema(conn), _runtime_role(conn)]
            conn.rollback()
        with Session(engine) as session:
            findings.append(_witness(session, settings))
    except DatabaseUnavailable as exc:
        findings.append(Finding(False, f"database not reachable: {exc}"))
    finally:
        engine.dispose()
    return [*findings, _secret_key(settings)]


def _schema(conn: Connection) -> Finding:
    current, head = schema_revisions(conn)
    if current == head:
        return Finding(True, f"migrations at head ({head})")
    at = "not migrated" if current is None else f"at {current}, the code's migrations end at {head}"
    return Finding(False, f"migrations not at head: {at}; run `python -m core migrate` as the schema's owner")


def _runtime_role(conn: Connection) -> Finding:
    p = conn.execute(RUNTIME_ROLE_POWERS).one()
    if p.superuser:
        return Finding(False, f"the runtime role owns the tables: {p.role} is a superuser and could disable the "
                              f"audit triggers; {ROLES_HINT}")
    if p.owned:
        return Finding(False, f"the runtime role owns the tables: {p.role} owns {p.owned} of {p.tables} and could "
                              f"disable the audit triggers; {ROLES_HINT}")
    if p.audit_writable:
        return Finding(False, f"the runtime role {p.role} may update, delete or truncate the audit log; {ROLES_HINT}")
    return Finding(True, f"the runtime role {p.role} owns no table: it cannot alter them or disable their triggers")


def _witness(session: Session, settings: Settings) -> Finding:
    path = witness_path(settings.hoss_data_dir, settings.hoss_audit_witness_file)
    problem = witness_problem(session, path, AuditKey.from_secret(settings.secret("hoss_secret_key")))
    if problem is not None:
        return Finding(False, f"audit witness at {path} does not match: {problem[1]}")
    seen = read_witness(path, database_identity(session))
    if seen is not None:
        return Finding(True, f"audit witness at {path} matches: row {seen.last_id}, witnessed on {seen.at}, is "
                             "still the chain's")
    if session.execute(AUDIT_LOG_EMPTY).scalar_one():
        return Finding(True, f"audit witness: none at {path} yet, and the audit log is empty")
    return Finding(False, f"audit witness missing: none for this database at {path}; run `python -m core audit "
                          "verify` (and keep running it, e.g. from cron)")


def _secret_key(settings: Settings) -> Finding:
    if settings.hoss_secret_key is not None:
        return Finding(True, "HOSS_SECRET_KEY set: the audit witness is sealed")
    return Finding(False, "HOSS_SECRET_KEY not set: the audit witness is unsealed and Connect Google is off")
