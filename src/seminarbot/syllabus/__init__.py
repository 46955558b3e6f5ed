"""Loading and validating content/ and prompts/ into domain models."""
