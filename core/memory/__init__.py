"""Customer memory (SPEC §20): lessons learned about a customer (lessons), and the prompt section that carries them."""
