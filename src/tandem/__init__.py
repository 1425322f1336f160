"""Tandem: a relationship-centric CRM."""

__version__ = "0.1.0"
