"""The gateway: one public entry point. In the all-in-one mode an ASGI dispatcher routes
by path prefix to each service's app in the same process; in the distributed mode nginx
does the same job, with its configuration generated from the service registry."""
