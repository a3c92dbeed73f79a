"""Examples of software that works with Pledge (not part of the ``pledge`` package)."""
