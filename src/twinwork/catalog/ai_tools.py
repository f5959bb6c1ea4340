"""The AI tools a freelancer works with: a fixed vocabulary, grouped by what they make, plus
free entries for tools the vocabulary lacks, checked so a profile shows names, not prose.

A profile stores names only: vocabulary names in the vocabulary's spelling (however they were
typed), free entries as given. A profile with any tool "works with AI".
"""

from __future__ import annotations

import re

AI_TOOL_GROUPS: dict[str, tuple[str, ...]] = {
    "Writing and chat": ("ChatGPT", "Claude", "Gemini", "Copilot", "Jasper", "Sudowrite"),
    "Images and design": (
        "Midjourney",
        "DALL·E",
        "Stable Diffusion",
        "ComfyUI",
        "Adobe Firefly",
        "Canva Magic Studio",
    ),
    "Voice and music": ("ElevenLabs", "Suno", "Udio", "Whisper", "Descript"),
    "Video": ("Runway", "Sora", "Pika", "HeyGen"),
    "Code and agents": ("GitHub Copilot", "Cursor", "LangChain", "n8n"),
    "This marketplace": ("twinwork personal model",),
}
VOCABULARY: tuple[str, ...] = tuple(name for names in AI_TOOL_GROUPS.values() for name in names)
MAX_AI_TOOLS = 15
MAX_FREE_TOOL_LENGTH = 30
_CANONICAL = {name.casefold(): name for name in VOCABULARY}
# A tool's name: letters (any script), digits, and the few marks names use ("n8n", "DALL·E 3",
# "Stable Diffusion XL", "Gen-3", "v0.dev"), starting with a letter or digit.
_FREE_TOOL = re.compile(r"[^\W_][\w .+\-·]*", re.UNICODE)


class AiToolError(ValueError):
    pass


def clean_ai_tools(names: list[str]) -> list[str]:
    """Vocabulary names in their spelling, free entries as given (spaces tidied), in the order
    given; duplicates (ignoring case) dropped. Raises AiToolError with a message a person can
    act on."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        name = _CANONICAL.get(name.casefold(), name)
        if name not in _CANONICAL.values():
            if len(name) > MAX_FREE_TOOL_LENGTH:
                raise AiToolError(
                    f"{name[:MAX_FREE_TOOL_LENGTH]!r}… is too long: name an AI tool in at most "
                    f"{MAX_FREE_TOOL_LENGTH} characters."
                )
            if not _FREE_TOOL.fullmatch(name) or not any(c.isalpha() for c in name):
                raise AiToolError(
                    f"{name!r} is not a tool's name: use letters, digits, spaces and . + - only."
                )
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        cleaned.append(name)
    if len(cleaned) > MAX_AI_TOOLS:
        raise AiToolError(f"List at most {MAX_AI_TOOLS} AI tools; keep the ones you use most.")
    return cleaned


def is_listed(name: str) -> bool:
    return name in _CANONICAL.values()
