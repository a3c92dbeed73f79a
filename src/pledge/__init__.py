"""Pledge."""
