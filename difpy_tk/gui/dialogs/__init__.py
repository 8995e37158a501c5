"""Windows that open over the app: the search log and the settings."""
