"""Test harness pieces shared across test packages (the local Convex dev server and its fixtures)."""
