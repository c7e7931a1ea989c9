"""The verifier: run original and migrated modules, each in its own interpreter, and
compare what they compute. `runner.py` runs inside those interpreters and imports only
jax, flax and numpy; nothing here imports libcst."""
