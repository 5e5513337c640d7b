"""``python -m app.workers``: the same as ``privsim worker``."""

from app.cli import worker

if __name__ == "__main__":
    worker()
