"""Defaults a user sets once: ``$XDG_CONFIG_HOME/qabot/config.toml`` (read with tomllib)
and ``$QABOT_CORPUS``. Command-line options win over both; the environment wins over the
file for the corpus.

    # ~/.config/qabot/config.toml
    corpus = "~/news"   # a folder, one .txt/.md file, or a .jsonl file
    k = 8               # passages to consider, 1 to 1000
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qabot.cache import config_path
from qabot.errors import QabotError


class Settings(BaseModel):
    """The config file's keys; an unknown key is an error, so a typo is not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    corpus: str | None = Field(default=None, min_length=1,
                               description="The corpus used when --corpus is not given.")
    k: int | None = Field(default=None, ge=1, le=1000,
                          description="Passages to consider when -k is not given.")


def load_settings(path: Path | None = None) -> Settings:
    """The settings in the config file (none when there is no file); a file that can't be
    read or holds a wrong key or value is a ``QabotError`` naming it."""
    import tomllib

    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise QabotError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise QabotError(f"{path}: not valid TOML ({exc})") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise QabotError(f"{path}: {where}: {err['msg']}") from None
    if settings.corpus:
        settings = settings.model_copy(update={"corpus": os.path.expanduser(settings.corpus)})
    return settings
