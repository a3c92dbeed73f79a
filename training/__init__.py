"""Tools that build Pledge's shipped artefacts but are not shipped themselves."""
