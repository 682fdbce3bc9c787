"""AWS entry points: Lambda handlers and Secrets Manager. Nothing in the package imports this."""
