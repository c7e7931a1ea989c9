"""Package discovery, so a new subpackage (nnx_migrate/verify/...) cannot be left out of
the wheel. The rules live in codemods/ at the top of the repository but install inside
the nnx_migrate namespace, so they cannot clash with a user's own `codemods` package."""

from setuptools import find_packages, setup

RULES_PACKAGE = "nnx_migrate.codemods"

setup(
    packages=[
        *find_packages(include=["nnx_migrate", "nnx_migrate.*"]),
        RULES_PACKAGE,
        *(f"{RULES_PACKAGE}.{name}" for name in find_packages("codemods")),
    ],
    package_dir={RULES_PACKAGE: "codemods"},
)
