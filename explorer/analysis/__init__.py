"""Pure torch/numpy analysis: complexity, latency (no Qt)."""
