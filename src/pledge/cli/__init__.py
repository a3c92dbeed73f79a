"""The ``pledge`` command: thin Typer wrappers around the Pledge object."""
