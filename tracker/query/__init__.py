"""Read-only SQL over the database: ad-hoc queries, canned queries and the Datasette browser."""
