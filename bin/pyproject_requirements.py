"""Print the dependencies in pyproject.toml (runtime and dev), one a line, for `make lock`."""

import pathlib
import tomllib

project = tomllib.loads(pathlib.Path("pyproject.toml").read_text())["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
