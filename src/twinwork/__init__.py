"""twinwork: a freelance marketplace where freelancers own their personal AI models."""

__version__ = "0.1.0"
