"""Operations: the Prometheus /metrics endpoint for operators (issue 20)."""
