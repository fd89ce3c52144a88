"""Observational memory as the resource and thread pages show it (no views of its own)."""
