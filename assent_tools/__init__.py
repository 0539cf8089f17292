"""Tools around the deployment: the Docker-free local gateway, its store, and client administration."""
