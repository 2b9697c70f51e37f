"""Web surfaces: the HTTP API and the investor page, one FastAPI app (``create_app``)."""
