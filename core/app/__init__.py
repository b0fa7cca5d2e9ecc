"""The composition root: the command line, the HTTP routes, process start-up and the demo data."""
