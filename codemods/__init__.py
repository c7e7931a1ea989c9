"""The rewrite rules, one module each. Installed as `nnx_migrate.codemods`."""
