"""tracker: watch the Korean National Assembly and the news for the bills you care about."""

__version__ = "0.1.0"
