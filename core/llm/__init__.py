"""The LLM: the task client and drafting helpers over the official openai client, prices, the rate limiter."""
