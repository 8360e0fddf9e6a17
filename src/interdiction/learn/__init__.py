"""Learned scoring: train, calibrate, save and evaluate an offer classifier.

A capability (layer 5) on top of the detectors: the model's features are character n-grams of
the normalised text plus what the core detectors found, so it learns from the evidence the
rules use as well as from the wording of each source.

Import from the modules (``interdiction.learn.model`` ...): this package stays light so the
CLI can start without loading scikit-learn.
"""
