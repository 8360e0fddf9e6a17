"""Learned scoring: train, calibrate, save and evaluate an offer classifier.

A capability (layer 5) on top of the detectors: the model's features are character n-grams of
the normalised text plus what the core detectors found, so it learns from the evidence the
rules use as well as from the wording of each source.
"""

from interdiction.learn.data import LabelledData, load_labelled
from interdiction.learn.model import Model, ModelFileError, train

__all__ = ["LabelledData", "Model", "ModelFileError", "load_labelled", "train"]
