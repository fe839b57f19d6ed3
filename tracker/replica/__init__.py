"""A local replica of the sources (Assembly API, bill pages, news feeds) for tests and the demo."""
