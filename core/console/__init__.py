"""Read models for the console pages: what the control room and the run history show, paginated in SQL."""
