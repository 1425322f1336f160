"""Pages of the web interface. They read through selectors and write through services only."""
