"""Print the dependencies declared in pyproject.toml (runtime and dev), one per line, for `make lock`."""

import pathlib
import tomllib

project = tomllib.loads(pathlib.Path("pyproject.toml").read_text())["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
