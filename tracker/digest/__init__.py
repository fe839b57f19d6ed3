"""The weekly digest: which period is due, what it holds, rendering it and sending it."""
