"""Safety: recognising people in danger, whatever else the understanding layer decided."""
from bot.safety.danger import shows_immediate_danger

__all__ = ["shows_immediate_danger"]
