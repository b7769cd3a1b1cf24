"""Load and query benchmarks (issue #5): `make bench`, `make bench-smoke`. See README.md."""
