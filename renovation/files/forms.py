"""The one photo input of every form that takes photos (site issues, progress reports).

It only collects the files; ``renovation.files.photos.validate_photos``, called by the services,
decides which are acceptable and says why the others are not.
"""

from __future__ import annotations

from typing import Any

from django import forms


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; on a phone ``camera=True`` opens the camera straight away."""

    def __init__(self, *args: Any, camera: bool = True, **kwargs: Any) -> None:
        attrs: dict[str, Any] = {"accept": "image/*,.heic,.heif", "multiple": True}
        if camera:
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        kwargs.setdefault("required", False)  # the service says how many are needed, with the reason
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
