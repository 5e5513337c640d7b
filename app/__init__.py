"""privsim service: HTTP API, persistence, auth, jobs and workers around ``core``."""
