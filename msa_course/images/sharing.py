"""Layer sharing: images with layers in common store and pull those layers once.

Docker's storage-driver docs (figures.md §2): images that have layers in common share them,
and "two containers started from the same image share 100% of the read-only data". A layer is
identified by its digest, so the same digest on one host is stored once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from msa_course.images.build import Image


@dataclass(frozen=True)
class Sharing:
    """For images pulled one after another onto one host: what each pull downloads."""

    names: tuple[str, ...]
    size_mb: dict[str, float]  # each image's full size
    new_mb: dict[str, float]  # what its pull downloads, given the images pulled before it
    shared: dict[str, tuple[str, ...]]  # digest -> images using that layer (if more than one)

    @property
    def separate_mb(self) -> float:
        """Total if every image were pulled and stored on its own, sharing nothing."""
        return sum(self.size_mb.values())

    @property
    def stored_mb(self) -> float:
        """Stored once per distinct layer."""
        return sum(self.new_mb.values())

    @property
    def saved_mb(self) -> float:
        return self.separate_mb - self.stored_mb


def sharing(images: Mapping[str, Image]) -> Sharing:
    """Pull `images` in order onto an empty host; count what each pull adds."""
    if not images:
        raise ValueError("images must name at least one image, got none")
    seen: set[str] = set()
    users: dict[str, list[str]] = {}
    size, new = {}, {}
    for name, image in images.items():
        size[name] = image.size_mb
        new[name] = sum(
            x.size_mb for x in image.layers if x.kind != "metadata" and x.digest not in seen
        )
        for layer in image.layers:
            if layer.kind != "metadata":
                users.setdefault(layer.digest, [])
                if name not in users[layer.digest]:
                    users[layer.digest].append(name)
                seen.add(layer.digest)
    shared = {d: tuple(n) for d, n in users.items() if len(n) > 1}
    return Sharing(tuple(images), size, new, shared)
