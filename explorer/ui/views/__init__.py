"""One tab page each (the tab table in window/tabs.py lists them)."""
