"""legplan: turn a leg goal into a safe, evidence-based weekly training plan."""

__version__ = "0.1.0"
