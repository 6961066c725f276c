"""Defaults a user sets once: ``$XDG_CONFIG_HOME/qabot/config.toml`` (read with tomllib)
and ``$QABOT_CORPUS``. Command-line options win over both; the environment wins over the
file for the corpus.

    # ~/.config/qabot/config.toml
    corpus = "~/news"   # a folder, one .txt/.md file, or a .jsonl file
    k = 8               # passages to consider, 1 to 1000
    semantic = false    # sentence embeddings (qabot[semantic]): true, false; unset = auto

``$QABOT_SEMANTIC`` (on/off) wins over the file's ``semantic``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from qabot.cache import config_path
from qabot.errors import QabotError


class Settings(BaseModel):
    """The config file's keys; an unknown key is an error, so a typo is not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    corpus: str | None = Field(default=None, min_length=1,
                               description="The corpus used when --corpus is not given.")
    k: int | None = Field(default=None, ge=1, le=1000,
                          description="Passages to consider when -k is not given.")
    semantic: StrictBool | None = Field(default=None, description="Sentence embeddings on or off "
                                  "when neither --semantic nor --no-semantic is given; unset: "
                                  "on for small corpora when qabot[semantic] is installed.")


_SWITCH = {"1": True, "on": True, "true": True, "yes": True,
           "0": False, "off": False, "false": False, "no": False}


def semantic_from_env(value: str | None) -> bool | None:
    """$QABOT_SEMANTIC as a switch: on/off (also 1/0, true/false, yes/no); unset or empty:
    None. Anything else is a ``QabotError`` naming the variable."""
    if value is None or not value.strip():
        return None
    found = _SWITCH.get(value.strip().lower())
    if found is None:
        raise QabotError(f"QABOT_SEMANTIC={value!r}: expected on or off (or 1/0, "
                         "true/false, yes/no)")
    return found


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
