"""Workshops: distribute the course through JupyterHub, collect exercises, size a cluster."""
