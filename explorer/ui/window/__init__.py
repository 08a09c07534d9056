"""The main window and what hangs off it: menus, the tab table, files, dialogs, settings, presentation."""
