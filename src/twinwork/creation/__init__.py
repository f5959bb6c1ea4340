"""Personal models: training runs, versions, evaluation, approval, pricing, activation, erasure."""
