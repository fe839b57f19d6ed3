"""The offline demo: the command, its scripted story, a sample digest and the replica servers."""
