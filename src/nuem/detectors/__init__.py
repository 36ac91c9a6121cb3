"""Detector targets, responses, named experimental set-ups and expected rates."""
