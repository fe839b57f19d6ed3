"""Pure types and rules of the domain: bills, stages, articles, relevance, revisits, alerts."""
