"""The web face of Pledge: public pages and the HTTP API."""
