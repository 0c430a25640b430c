"""HTTP chassis: the app factory, problem details, request context, pagination, dependencies."""
