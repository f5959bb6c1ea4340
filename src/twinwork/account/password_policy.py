"""What counts as a weak password, with messages that say how to fix it."""

from __future__ import annotations

from twinwork.kit.errors import ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 128

# The most common choices in public breach lists, plus the product's own name.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "admin12345",
        "abcdefghij",
        "abc1234567",
        "aaaaaaaaaa",
        "football12",
        "baseball12",
        "princess12",
        "sunshine12",
        "dragon1234",
        "monkey1234",
        "trustno1234",
        "twinwork12",
        "twinwork123",
        "changeme12",
        "changeme123",
        "superman12",
        "starwars12",
        "whatever12",
    }
)


def check_password(password: str, *, email: str, display_name: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            f"Choose a password of at least {MIN_LENGTH} characters.", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(
            f"Passwords are limited to {MAX_LENGTH} characters.", field="password"
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 5:
        raise ValidationFailed(
            "That password is too easy to guess; try a short phrase of unrelated words.",
            field="password",
        )
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        raise ValidationFailed(
            "Your password must not contain your email address.", field="password"
        )
    name = display_name.strip().lower()
    if len(name) >= 4 and name in lowered:
        raise ValidationFailed("Your password must not contain your name.", field="password")
