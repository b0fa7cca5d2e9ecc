"""`python -m bench NAME [args]` (what `python -m core bench` runs): one benchmark, its ratios measured in one run."""

from __future__ import annotations

import sys

from bench import main

raise SystemExit(main(sys.argv[1:]))
