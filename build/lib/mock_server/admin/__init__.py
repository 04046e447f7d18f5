"""The control plane, on its own port (default 7100)."""
