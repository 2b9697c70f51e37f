"""Optional LLM mode: an OpenAI-compatible model and its tools over the same components."""
