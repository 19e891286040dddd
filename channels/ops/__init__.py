"""Operations routes of the Rasa server: health, readiness and Prometheus metrics."""
from channels.ops.channel import OpsInput

__all__ = ["OpsInput"]
