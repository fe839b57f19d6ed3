"""The one owner of the database: the schema, its migrations and a repository per concern."""
