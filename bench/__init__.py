"""Benchmarks (not tests): ``python -m bench`` runs every module's ``main()``."""
