"""`python -m core ...`: the HossAgent command line (SPEC §9)."""

from core.app.cli import main

raise SystemExit(main())
