"""The workforce (SPEC §12): hired workers from role templates, tasks as multi-step workflows, review and delivery."""
