"""Models, engine and sessions, migrations, and the embedded Postgres."""
