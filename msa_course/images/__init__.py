"""Chapter 02, part two: Docker images as stacks of layers, the build cache under BuildKit
(`docker build`'s default) or the classic builder, layer sharing and environment parity,
computed from real Dockerfiles (parsed with dockerfile-parse).

Model only (no plotly or widgets here); views live in `charts` and `widgets`.
"""

from msa_course.images.build import Image, Layer, StageBuild, build
from msa_course.images.builders import BUILDERS, Builder
from msa_course.images.cache import STATUSES, Step, cache_report, counts, rebuilt_after_change
from msa_course.images.context import ContextFile, edit
from msa_course.images.dockerfile import DockerfileError, Instruction, parse
from msa_course.images.parity import simulate as parity
from msa_course.images.sharing import Sharing, sharing

__all__ = [
    "BUILDERS",
    "STATUSES",
    "Builder",
    "ContextFile",
    "DockerfileError",
    "Image",
    "Instruction",
    "Layer",
    "Sharing",
    "StageBuild",
    "Step",
    "build",
    "cache_report",
    "counts",
    "edit",
    "parity",
    "parse",
    "rebuilt_after_change",
    "sharing",
]
