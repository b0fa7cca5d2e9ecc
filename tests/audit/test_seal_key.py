"""The audit key (from HOSS_SECRET_KEY) stays in Python: no database session the application opens holds it."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from core.app.context import bootstrap
from core.audit import Actor, record_audit
from core.audit.chain import verify_audit_chain
from core.audit.seal import AuditKey
from core.audit.witness import witness_path
from tests.audit.conftest import SECRET

# What the owner's trigger records of every session that writes an audit row: all its settings, custom ones too.
_SPY = """
CREATE TABLE spied (settings text);
GRANT INSERT ON spied TO PUBLIC;
CREATE FUNCTION spy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spied SELECT string_agg(name || '=' || coalesce(setting, ''), ';')
        || ';' || coalesce(current_setting('hoss.audit_key_ipad', true), '')
        || ';' || coalesce(current_setting('hoss.audit_key_opad', true), '') FROM pg_settings;
    RETURN NEW;
END $$;
CREATE TRIGGER a_spy BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION spy();
"""


def _key_material(key: AuditKey) -> list[str]:
    """The key and HMAC's two pads, as hex: what a spy would need to seal or to check a seal."""
    block = key.key.ljust(64, b"\0")
    return [key.key.hex(), bytes(b ^ 0x36 for b in block).hex(), bytes(b ^ 0x5C for b in block).hex()]


def test_no_database_session_holds_the_seal_key(keyed_settings, owner_db_url, tmp_path) -> None:
    owner = create_engine(owner_db_url)
    with owner.begin() as conn:
        conn.exec_driver_sql(_SPY)
    ctx = bootstrap(keyed_settings, run_migrations=False)
    with ctx.sessions() as session:
        record_audit(session, Actor.system(), "lead", 1, None, "new")
        session.commit()
        assert verify_audit_chain(session, key=AuditKey.from_secret(SECRET), witness=witness_path(tmp_path)).ok
        visible = session.execute(text("SELECT string_agg(name || '=' || coalesce(setting, ''), ';') "
                                       "FROM pg_settings")).scalar_one()
    ctx.engine.dispose()
    with owner.connect() as conn:
        spied = conn.execute(text("SELECT settings FROM spied")).scalars().all()
    owner.dispose()
    key = AuditKey.from_secret(SECRET)
    assert key is not None and len(spied) == 1
    leaked = [m for m in _key_material(key) if any(m in s for s in (*spied, visible))]
    assert leaked == [] and "hoss.audit_key" not in visible + spied[0]
