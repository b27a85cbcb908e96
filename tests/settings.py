"""The settings under pytest: the project's own, plus the throwaway record kind of tests/kindapp."""

from taizhang.settings import *  # noqa: F403
from taizhang.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.kindapp"]
