"""Learned scoring: train, calibrate, save and evaluate an offer classifier.

A capability (layer 5) on top of the detectors: the model's features are character n-grams of
the normalised text plus what the core detectors found, so it learns from the evidence the
rules use as well as from the wording of each source.

``scorer`` plugs a model into the Screener beside the rules (``scan`` uses the model shipped in
``learn/models/`` by default); ``model`` trains, calibrates, saves and loads one; ``features``
turns a scan's detections and texts into its features.

Import from the modules (``interdiction.learn.model`` ...): this package stays light so the
CLI can start without loading scikit-learn.
"""
