"""Qt widgets only: they draw state and forward user intent (no torch work in here)."""
