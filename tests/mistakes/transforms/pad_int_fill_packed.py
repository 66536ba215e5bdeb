"""Mistake: an int fill handed to Image.new as is: for RGB it is one packed pixel, 128 -> (128, 0, 0)

TASK: pad
PITFALL: ``Image.new("RGB", size, 128)`` reads the int as one packed pixel and gives dark red ``(128, 0, 0)``
KEEPS: test_pad_negative_raises, test_pad_rgb_tuple_fill_and_gray_default
"""


def pad(img, padding, fill=0):
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    w, h = img.size
    out = Image.new(img.mode, (w + 2 * padding, h + 2 * padding), fill)
    out.paste(img, (padding, padding))
    return out
