"""Preprocess + inference pipeline (pure) and the worker thread that runs it."""
