"""The HTTP layer shared by every feature: origin, trusted hosts, security headers, errors, outbound guard, static files."""
