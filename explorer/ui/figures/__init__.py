"""Plots and images the views and the report draw: lesson figures, labels that never overlap, signals, mosaics."""
