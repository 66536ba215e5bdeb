"""Mistake: fill ignored, the border always black

TASK: pad
"""


def pad(img, padding, fill=0):
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    w, h = img.size
    out = Image.new(img.mode, (w + 2 * padding, h + 2 * padding))
    out.paste(img, (padding, padding))
    return out
