"""Understanding: the Rasa NLU components Brújula trains (referenced from config.yml)."""
from bot.nlu.classifier import NgramIntentClassifier

__all__ = ["NgramIntentClassifier"]
