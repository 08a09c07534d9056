"""What every room stands on: the Qt side of the state, background tasks, the tab page, fonts, screens, contrast."""
