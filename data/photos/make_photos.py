"""Extracts the playground's sample photos from the scikit-image package (no download at run time).

Writes www/images/<name>.png (longest side 320 px), www/images/photos.json (the list the page
shows) and www/images/SOURCES.md (source and licence of each photo, quoted from scikit-image's own
documentation of the image). Only photos that ship inside the scikit-image wheel and that it
documents as public domain or CC0 are used.

    python3 -m venv /tmp/photos-venv
    /tmp/photos-venv/bin/pip install scikit-image==0.26.0
    /tmp/photos-venv/bin/python data/photos/make_photos.py

Deterministic: same package version, same bytes.
"""

import inspect
import json
from pathlib import Path

import numpy as np
import skimage
import skimage.data
import skimage.io
import skimage.transform

OUT = Path(__file__).resolve().parents[2] / "www" / "images"
MAX_SIDE = 320

# (function in skimage.data, label on the page, licence as scikit-image states it)
PHOTOS = [
    ("camera", "Camera (grey)", "CC0 by the photographer (Lav Varshney)"),
    ("astronaut", "Astronaut", "public domain (NASA Great Images database)"),
    ("coffee", "Coffee cup", "CC0 by the photographer (Rachel Michetti)"),
    ("chelsea", "Chelsea the cat", "CC0 by the photographer (Stefan van der Walt)"),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    listing, sources = [], [
        "# Sample photos",
        "",
        f"Extracted from scikit-image {skimage.__version__} (`skimage.data`, bundled in the package) by",
        "`data/photos/make_photos.py`, scaled to at most 320 pixels per side. Licences as",
        "scikit-image documents them:",
        "",
    ]
    for name, label, licence in PHOTOS:
        image = getattr(skimage.data, name)()
        h, w = image.shape[:2]
        scale = min(1.0, MAX_SIDE / max(h, w))
        size = (round(h * scale), round(w * scale)) + image.shape[2:]
        small = skimage.transform.resize(image, size, anti_aliasing=True, preserve_range=True)
        skimage.io.imsave(OUT / f"{name}.png", np.round(small).astype(np.uint8), check_contrast=False)
        doc = inspect.getdoc(getattr(skimage.data, name)).splitlines()[0]
        listing.append({"name": name, "label": label, "file": f"images/{name}.png", "licence": licence})
        sources.append(f"- `{name}.png` — {doc} {size[1]}×{size[0]} from {w}×{h}. Licence: {licence}.")
    (OUT / "photos.json").write_text(json.dumps(listing, indent=2) + "\n")
    (OUT / "SOURCES.md").write_text("\n".join(sources) + "\n")


if __name__ == "__main__":
    main()
