"""The shared chassis every service stands on: config, db, events, http, auth, cache, observability."""
