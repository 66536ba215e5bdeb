"""Mistake: the size grows by padding, not 2 * padding (a border on the left and top only)

TASK: pad
PITFALL: Padding goes on *both* sides: the width grows by ``2 * padding``
"""


def pad(img, padding, fill=0):
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if isinstance(fill, int) and len(img.getbands()) > 1:
        fill = (fill,) * len(img.getbands())
    w, h = img.size
    out = Image.new(img.mode, (w + padding, h + padding), fill)
    out.paste(img, (padding, padding))
    return out
