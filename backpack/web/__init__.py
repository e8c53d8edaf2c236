"""The HTTP layer shared by every feature: security headers and error pages."""
