"""Demo data and dev tooling: the seeded data set ``seed_demo`` writes, the workflow snapshot
building blocks the tests share with it, and the local Convex dev server ``run_with_convex_dev``
starts. Only tests, benchmarks and this app's own commands import it; no area of the dashboard does."""
