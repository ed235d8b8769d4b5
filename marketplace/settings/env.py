"""The one reader of Keqiao's environment (django-environ).

Settings read every variable through `env`; nothing else in the project reads `os.environ`
for configuration. A `.env` file in the repository root is read too when present (never
committed).
"""

from pathlib import Path

import environ

env = environ.Env()
_dotenv = Path(__file__).resolve().parent.parent.parent / ".env"
if _dotenv.exists():
    env.read_env(str(_dotenv))
