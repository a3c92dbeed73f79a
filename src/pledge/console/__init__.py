"""The staff console: accounts, sessions and CSRF protection."""
