"""Persons: contacts, organisations, addresses, choice lists and managed organisations."""
