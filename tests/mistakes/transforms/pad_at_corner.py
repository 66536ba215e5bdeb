"""Mistake: the right size, but the picture pasted at (0, 0): all the border ends up right and bottom

TASK: pad
PITFALL: the picture starts at ``(padding, padding)``, not at the corner.
"""


def pad(img, padding, fill=0):
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if isinstance(fill, int) and len(img.getbands()) > 1:
        fill = (fill,) * len(img.getbands())
    w, h = img.size
    out = Image.new(img.mode, (w + 2 * padding, h + 2 * padding), fill)
    out.paste(img, (0, 0))
    return out
