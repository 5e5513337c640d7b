"""privsim's numerical and privacy core.

Pure NumPy / SciPy / array-api-compat / OpenDP code: structures, mechanisms and budget
arithmetic. Nothing here knows about HTTP, databases or GPUs; compute backends are
passed in as arrays of another namespace.
"""
