"""Running the bot as a service: health checks, metrics, backups. Never imports `telegram`."""
