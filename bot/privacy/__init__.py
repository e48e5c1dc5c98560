"""Retention and erasure: removing visitors' personal data while keeping the statistics."""
