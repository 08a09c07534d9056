"""The dock's controls: model, weights, run and fit."""
