"""Shared machinery. Never imports a provider."""
