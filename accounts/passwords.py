"""Password policy (pure) and Argon2id hashing."""

from __future__ import annotations

import functools
from pathlib import Path

from core.i18n_markers import N_

MIN_LENGTH = 8

_COMMON_FILE = Path(__file__).with_name("data") / "common-passwords.txt"


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _is_trivial(password: str) -> bool:
    """One repeated character, or a straight run like 12345678 / abcdefgh."""
    if len(set(password)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:])}
    return steps in ({1}, {-1})


def password_problems(password: str, username: str = "", display_name: str = "") -> list[str]:
    """Messages (untranslated, marked) for each rule the password breaks."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("The password must be at least 8 characters long."))
    lowered = password.lower()
    if lowered in common_passwords() or _is_trivial(password):
        problems.append(N_("This password is too common; choose one that is harder to guess."))
    for name in (username, display_name):
        name = (name or "").strip().lower()
        if name and (lowered == name or (len(name) >= 4 and name in lowered)):
            problems.append(N_("The password must not contain your user name."))
            break
    return problems


def make_hasher(time_cost: int, memory_cost: int, parallelism: int):
    from argon2 import PasswordHasher, Type

    # OWASP's minimum for Argon2id is m=19 MiB, t=2, p=1; never go below it.
    return PasswordHasher(
        time_cost=max(2, time_cost), memory_cost=max(19456, memory_cost), parallelism=max(1, parallelism), type=Type.ID
    )
