"""The scheduler process (SPEC §6): one tick per agent, once per period across replicas, the Ops pool drain."""
