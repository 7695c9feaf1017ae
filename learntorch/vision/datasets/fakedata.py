"""``FakeData``: random images, the same for the same index every time (for trying a pipeline without data)."""
from __future__ import annotations

from typing import Any, Callable

import learntorch as lt

from ..transforms.functional import to_pil_image
from .vision import VisionDataset


class FakeData(VisionDataset):
    """``size`` PIL images of shape ``image_size`` (C, H, W) and labels in [0, ``num_classes``).

    Item ``i`` is drawn from a generator seeded with ``i + random_offset``, as torchvision does (whose
    global generator it reseeds and restores; this one leaves the global generator alone): standard normal
    values, scaled by 255 and wrapped into uint8 as ``ToPILImage`` does, and a uniform label. The numbers are
    learntorch's, not torch's.
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224), num_classes: int = 10,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None, random_offset: int = 0) -> None:
        super().__init__(None, transform, target_transform)
        self.size, self.num_classes, self.image_size, self.random_offset = size, num_classes, image_size, random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        generator = lt.Generator().manual_seed(index + self.random_offset)
        img = to_pil_image(lt.randn(*self.image_size, generator=generator))
        return self._transform(img, int(lt.randint(0, self.num_classes, size=(1,), generator=generator).item()))

    def __len__(self) -> int:
        return self.size
