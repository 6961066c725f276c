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
import stat
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from qabot.errors import QabotError
from qabot.paths import config_path


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

    @field_validator("corpus")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\0" in value:
            raise ValueError("a path can't hold a NUL character")
        return value


# A config file holds three keys; anything bigger is not one.
CONFIG_MAX_BYTES = 64_000

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


def _problem(error: Any) -> str:
    """A config file's first wrong key or value, said in qabot's words (not pydantic's)."""
    key = ".".join(str(p) for p in error["loc"])
    keys = ", ".join(Settings.model_fields)
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {key!r} (the keys are {keys})"
    if kind == "value_error":  # one of qabot's own checks: its message as written
        return f"{key}: {error.get('ctx', {}).get('error', error['msg'])}"
    expected = {"corpus": "a path in quotes", "k": "a whole number from 1 to 1000",
                "semantic": "true or false"}.get(key, "another value")
    return f"{key} = {error.get('input')!r} is not valid: expected {expected}"


def load_settings(path: Path | None = None) -> Settings:
    """The settings in the config file (none when there is no file); a file that can't be
    read or holds a wrong key or value is a ``QabotError`` naming it."""
    import tomllib

    path = path or config_path()
    try:
        # Only a regular file of a few kilobytes is read: a FIFO there hung every command,
        # and a link to /dev/zero filled memory. O_NONBLOCK: opening a FIFO never waits.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise QabotError(f"{path}: not a regular file; not read")
            if info.st_size > CONFIG_MAX_BYTES:
                raise QabotError(f"{path}: {info.st_size:,} bytes, over the "
                                 f"{CONFIG_MAX_BYTES:,}-byte limit of a config file")
            raw = f.read(CONFIG_MAX_BYTES + 1)
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise QabotError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})"
                         ) from None
    except tomllib.TOMLDecodeError as exc:
        raise QabotError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise QabotError(f"{path}: not valid TOML (nested too deeply)") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise QabotError(f"{path}: {_problem(exc.errors()[0])}") from None
    if settings.corpus:
        settings = settings.model_copy(update={"corpus": os.path.expanduser(settings.corpus)})
    return settings
