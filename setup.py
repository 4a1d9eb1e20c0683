"""Build configuration that pyproject.toml cannot express: the language configs, edited in place at
``configs/languages/`` in a checkout, are shipped in the wheel as package data ``roots/configs_languages/``
(one copy in the repository; ``roots.packaged`` finds either)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["roots*"]), "roots.configs_languages"],
    package_dir={"roots.configs_languages": "configs/languages"},
)
