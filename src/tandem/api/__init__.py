"""The HTTP API (``/api/v1/``): Django Ninja routers built from the entity type registry.

Handlers only translate between JSON and the services; every rule lives in the services, so
the API and the web UI behave the same.
"""
