"""A local replica of the sources tracker reads, served on 127.0.0.1 for tests and the demo."""
