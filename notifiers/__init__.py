"""Alert and digest delivery channels."""
