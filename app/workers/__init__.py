"""Build workers: claim jobs with a lease, heartbeat, build, store atomically."""
