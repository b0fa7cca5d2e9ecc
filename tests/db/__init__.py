"""Tests of the database layer: schema invariants, migrations, the audit chain."""
