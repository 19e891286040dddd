"""What operators see of the running services: Prometheus metrics (`metrics`), logs without personal data (`logs`)
and the checks behind the readiness routes (`probes`). docs/operations.md describes them for operators.
"""
