"""ChatService and the extractive path: dialogue, routing, sentence choice, composer, grounding."""
