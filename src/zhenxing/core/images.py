"""The image check every upload of photos goes through (orders, ledgers): a real image within the
size limits, re-encoded as JPEG on the server."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
MAX_IMAGE_SIDE = 2048
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel phone photo passes; a decompression bomb does not


def photos_checked(
    files: Sequence[Any], *, max_count: int | None = None, field: str = "photos"
) -> list[bytes]:
    """Check each upload is a real image within the size limit; re-encode it as JPEG.

    Re-encoding drops EXIF (a phone photo's GPS position) and anything hidden after the image.
    ``max_count`` defaults to ``ORDERS_PHOTO_MAX_COUNT``; errors are raised on ``field``.
    """
    files = [f for f in files if f]
    max_count = settings.ORDERS_PHOTO_MAX_COUNT if max_count is None else max_count
    if len(files) > max_count:
        raise ValidationError({field: _("最多上传 %(n)s 张照片") % {"n": max_count}})
    out = []
    limit_mb = settings.ORDERS_PHOTO_MAX_BYTES / 1024 / 1024
    for f in files:
        name = getattr(f, "name", "") or _("照片")
        if f.size > settings.ORDERS_PHOTO_MAX_BYTES:
            raise ValidationError(
                {field: _("照片“%(name)s”超过 %(mb)g MB") % {"name": name, "mb": limit_mb}}
            )
        try:
            f.seek(0)
            with Image.open(f) as probe:
                fmt, (width, height) = probe.format, probe.size
                probe.verify()
            if fmt not in ALLOWED_IMAGE_FORMATS:
                raise UnidentifiedImageError(fmt)
            # A tiny file can declare a huge canvas; refuse before decoding a single pixel.
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    {field: _("照片“%(name)s”尺寸过大，请换一张") % {"name": name}}
                )
            f.seek(0)
            with Image.open(f) as img:
                img.draft("RGB", (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))  # JPEG: decode at reduced size
                img = img.convert("RGB")
                img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=85)
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise ValidationError(
                {field: _("“%(name)s”不是可识别的图片（支持 JPG、PNG、WEBP）") % {"name": name}}
            ) from None
        out.append(buf.getvalue())
    return out
