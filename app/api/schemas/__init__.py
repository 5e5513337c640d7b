"""Request and response bodies. Never ORM classes; ``*Create`` in, ``*Read`` out."""
