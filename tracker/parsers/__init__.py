"""Pure parsers: response text in, plain dataclasses out."""
