"""The table of modalities, and the plain data that crosses between them and the domain.

Like PEFT's ``register_peft_method``: each ``ml/<modality>/__init__.py`` registers itself with
``register_modality``, and callers (the training job, the generation path, erasure) look a
modality up by the name stored on the model and never import its package. A registration holds
plain callables whose heavy imports (torch, transformers) happen on first call, so importing
the table, reading labels or planning a run costs nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from twinwork.ml.streaming import TextSink

ConfigT = TypeVar("ConfigT", bound="DataclassInstance")
"""A modality's training configuration (its plan): a dataclass stored as JSON on the run."""


# ---- what crosses the boundary -----------------------------------------------------------


@dataclass(frozen=True)
class TrainingSample:
    """One portfolio sample a run may read; the domain has already checked its owner and
    consent, and recorded the read."""

    sample_id: int
    content_hash: str
    """sha256 hex of the content."""
    kind: str
    """The portfolio sample kind ("text", ...); a modality trains on its ``sample_kinds``."""
    content: str = ""
    """The text itself, for text samples."""
    path: Path | None = None
    """A local copy of the file, for samples that are files."""


@dataclass(frozen=True)
class ModelEnvironment:
    """What the host process decides for a modality: ``ml`` reads no settings of its own."""

    cache_dir: Path
    """Where base models are unpacked or converted, shared by every run on this machine."""
    base_model: str | None = None
    """The operator's choice of base model; None: the modality's packaged default."""


@dataclass(frozen=True)
class PlanRequest:
    samples: Sequence[TrainingSample]
    max_steps: int | None = None
    """An operator's cap on optimizer steps (quick runs on small machines); None: no cap."""


@dataclass(frozen=True)
class TrainingProgress:
    step: int
    total_steps: int
    loss: float | None
    elapsed_seconds: float
    eta_seconds: float | None
    phase: str
    """"loading" | "training" | "saving" | "evaluating"."""


class TrainingCancelled(Exception):
    """should_stop() asked to stop; the progress so far is kept as a checkpoint."""

    def __init__(self, step: int | None = None) -> None:
        super().__init__("training cancelled" + (f" at step {step}" if step is not None else ""))
        self.step = step


def _ignore(_: TrainingProgress) -> None:
    return None


def _never() -> bool:
    return False


def one_unit(_brief: str, _options: Mapping[str, Any]) -> int:
    """The default price rule: a generation is one use, whatever its brief."""
    return 1


PER_USE = "per use"
DEFAULT_BRIEF_MAX_CHARS = 1000
"""What a brief may hold for a modality that names no limit of its own."""


@dataclass(frozen=True)
class TrainRequest(Generic[ConfigT]):
    config: ConfigT
    samples: Sequence[TrainingSample]
    """Every sample of the run; the modality decides which to hold out for evaluation."""
    environment: ModelEnvironment
    out_dir: Path
    """Where the finished adapter goes (a directory, replaced whole)."""
    checkpoint_dir: Path
    """Where to keep, and resume from, a checkpoint of this same run."""
    on_progress: Callable[[TrainingProgress], None] = _ignore
    should_stop: Callable[[], bool] = _never
    """Polled between steps; once true, train raises TrainingCancelled."""


@dataclass(frozen=True)
class TrainOutcome:
    adapter_dir: Path
    base_model_id: str
    """The base the adapter belongs to, recorded on the version."""
    trained: tuple[TrainingSample, ...]
    heldout: tuple[TrainingSample, ...]
    steps: int
    final_loss: float | None


@dataclass(frozen=True)
class EvaluateRequest(Generic[ConfigT]):
    config: ConfigT
    environment: ModelEnvironment
    trained: TrainOutcome
    portfolio: Sequence[TrainingSample]
    """Every sample of the run, to compare the personal model's style with."""
    briefs: int
    """How many standard briefs to answer, for the freelancer to read before approving."""
    max_length: int | None = None
    """Length cap of each answer in the modality's own unit (tokens for text); None: its
    default."""


@dataclass(frozen=True)
class EvaluationResult:
    metrics: dict[str, float]
    """Named numbers, each for the base and the personal model (``base_*``, ``personal_*``)."""
    outputs: list[dict[str, str]]
    """What the freelancer reads before approving: per brief, the base's and the personal
    model's answer."""


@dataclass(frozen=True)
class GeneratedFile:
    """One file a modality makes for a buyer (a design in one size, a narration)."""

    name: str
    """A file name without directories, e.g. "design-1080x1080.png"."""
    media_type: str
    content: bytes


@dataclass(frozen=True)
class GenerateRequest:
    environment: ModelEnvironment
    brief: str
    adapter_dir: Path | None
    """The personal adapter; None: the plain base model."""
    adapter_key: str | None = None
    """Names the adapter in the modality's in-memory cache (the artifact hash), so that
    ``evict`` can drop it on erasure."""
    max_length: int | None = None
    """Length cap in the modality's own unit (tokens for text); None: its default."""
    seed: int | None = None
    """The same seed gives the same output; None: a fresh one."""
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """What the modality asks of the buyer beyond the brief, already validated by the
    domain (a design's headline, call to action and sizes)."""
    attachments: Mapping[str, bytes] = dataclasses.field(default_factory=dict)
    """Files the buyer sent with the brief, checked by the domain (a design's "logo", "photo")."""
    sink: TextSink | None = None
    """Where to write the text while it is written (a streamed preview), and how the reader
    cancels it; a modality that cannot stream ignores it (``twinwork.ml.streaming``)."""


# ---- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Modality(Generic[ConfigT]):
    """One kind of personal model and its entry points."""

    name: str
    """The key stored on each model (``PersonalModel.modality``)."""
    label: str
    """What people call it ("Writing")."""
    config_cls: type[ConfigT]
    sample_kinds: tuple[str, ...]
    """Portfolio sample kinds this modality trains on."""
    min_samples: int
    plan: Callable[[PlanRequest], ConfigT]
    train: Callable[[TrainRequest[ConfigT]], TrainOutcome]
    evaluate: Callable[[EvaluateRequest[ConfigT]], EvaluationResult]
    generate: Callable[[GenerateRequest], str]
    evict: Callable[[str], None] | None = None
    """Forget an adapter this process holds in memory, by its ``adapter_key`` (erasure)."""
    warm: Callable[[ModelEnvironment], None] | None = None
    """Load what generation needs (the base model) ahead of the first request; slow."""
    prefetch: Callable[[ModelEnvironment, Callable[[], Path], str], bool] | None = None
    """Bring an adapter into the serving engine ahead of its first request (a buyer opened
    the model's page), given how to fetch its directory and its ``adapter_key``; returns
    whether it is resident. A cold or remote engine ignores it: it never loads the base
    model, and fetches the adapter only when its engine is loaded."""
    generate_files: Callable[[GenerateRequest], Sequence[GeneratedFile]] | None = None
    """For modalities whose work is files (designs, audio): the files, in the order a buyer
    reads them. ``generate`` then returns the text that stands for them (a caption)."""
    preview_files: Callable[[Sequence[GeneratedFile]], Sequence[GeneratedFile]] | None = None
    """Watermarked, reduced copies of generated files for the free preview (files only)."""
    options_field: str | None = None
    """The request field that carries this modality's options (``"design"``); None: none."""
    check_options: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    """Validate and normalise the buyer's options; raises ValueError with a message a person
    can act on."""
    takes_attachments: bool = False
    """Whether a buyer may attach images (a design's logo and photo); others refuse them."""
    price_units: Callable[[str, Mapping[str, Any]], int] = one_unit
    """How many times the model's price one generation costs, from its brief and options
    (a narration: one per started 100 words of script); at least 1."""
    price_unit_label: str = PER_USE
    """What the model's price is for, as shown beside it ("per started 100 words")."""
    brief_max_chars: int = DEFAULT_BRIEF_MAX_CHARS
    """The longest brief this modality takes (a voice script is longer than a text brief)."""

    def units(self, brief: str, options: Mapping[str, Any] | None = None) -> int:
        """``price_units`` of this brief, never below 1: every generation costs something."""
        return max(1, int(self.price_units(brief, options or {})))

    def config_as_dict(self, config: ConfigT) -> dict[str, Any]:
        return dataclasses.asdict(config)

    def config_from_dict(self, data: Mapping[str, Any]) -> ConfigT:
        make: Callable[..., ConfigT] = self.config_cls
        return make(**data)


_modalities: dict[str, Modality[Any]] = {}


class UnknownModality(ValueError):
    pass


def register_modality(
    *,
    name: str,
    label: str,
    config_cls: type[ConfigT],
    sample_kinds: tuple[str, ...],
    min_samples: int,
    plan: Callable[[PlanRequest], ConfigT],
    train: Callable[[TrainRequest[ConfigT]], TrainOutcome],
    evaluate: Callable[[EvaluateRequest[ConfigT]], EvaluationResult],
    generate: Callable[[GenerateRequest], str],
    evict: Callable[[str], None] | None = None,
    warm: Callable[[ModelEnvironment], None] | None = None,
    prefetch: Callable[[ModelEnvironment, Callable[[], Path], str], bool] | None = None,
    generate_files: Callable[[GenerateRequest], Sequence[GeneratedFile]] | None = None,
    preview_files: Callable[[Sequence[GeneratedFile]], Sequence[GeneratedFile]] | None = None,
    options_field: str | None = None,
    check_options: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    takes_attachments: bool = False,
    price_units: Callable[[str, Mapping[str, Any]], int] = one_unit,
    price_unit_label: str = PER_USE,
    brief_max_chars: int = DEFAULT_BRIEF_MAX_CHARS,
) -> Modality[ConfigT]:
    """Add a modality to the table; a name can be registered once (unregister it first)."""
    if not dataclasses.is_dataclass(config_cls):
        raise TypeError(f"config_cls of modality {name!r} must be a dataclass")
    if not sample_kinds:
        raise ValueError(f"modality {name!r} must train on at least one sample kind")
    if min_samples < 1:
        raise ValueError(f"min_samples of modality {name!r} must be positive")
    if brief_max_chars < 1:
        raise ValueError(f"brief_max_chars of modality {name!r} must be positive")
    if name in _modalities:
        raise ValueError(f"modality {name!r} is already registered")
    modality = Modality(
        name=name,
        label=label,
        config_cls=config_cls,
        sample_kinds=tuple(sample_kinds),
        min_samples=min_samples,
        plan=plan,
        train=train,
        evaluate=evaluate,
        generate=generate,
        evict=evict,
        warm=warm,
        prefetch=prefetch,
        generate_files=generate_files,
        preview_files=preview_files,
        options_field=options_field,
        check_options=check_options,
        takes_attachments=takes_attachments,
        price_units=price_units,
        price_unit_label=price_unit_label,
        brief_max_chars=brief_max_chars,
    )
    _modalities[name] = modality
    return modality


def unregister_modality(name: str) -> Modality[Any]:
    """Remove a modality from the table (tests register throwaway ones)."""
    modality = get_modality(name)
    del _modalities[name]
    return modality


def get_modality(name: str) -> Modality[Any]:
    try:
        return _modalities[name]
    except KeyError:
        known = ", ".join(sorted(_modalities)) or "none"
        raise UnknownModality(f"unknown modality {name!r} (known: {known})") from None


def modalities() -> tuple[Modality[Any], ...]:
    """Every registered modality, by name."""
    return tuple(_modalities[name] for name in sorted(_modalities))


def modality_names() -> tuple[str, ...]:
    return tuple(sorted(_modalities))
