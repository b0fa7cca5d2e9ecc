"""Outside workspaces the operator connects (SPEC §15): Google, tokens encrypted at rest."""
