"""`make run`: SQLite and the in-memory channel layer, nothing to install beyond Python."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# A development-only key: production.py refuses to start without SECRET_KEY set.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-5b1c1c4e6f0a4b7d9e2f")
