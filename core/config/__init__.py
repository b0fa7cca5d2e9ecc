"""Configuration: the typed settings object (settings), operator-editable settings (store)."""
