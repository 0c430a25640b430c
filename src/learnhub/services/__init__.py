"""The platform's services, one bounded context each. A service imports only the kit,
the contracts and itself."""
