"""``isclose``/``allclose`` follow torch's definition, infinities and NaNs included."""
import pytest

import learntorch as lt

VALUES = [0.0, 1.0, 1.0 + 1e-7, 1e-9, float("inf"), float("-inf"), float("nan")]


@pytest.mark.reference
@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_matches_torch(equal_nan):
    torch = pytest.importorskip("torch")
    a = [x for x in VALUES for _ in VALUES]
    b = [y for _ in VALUES for y in VALUES]
    ours = lt.isclose(lt.tensor(a), lt.tensor(b), equal_nan=equal_nan).tolist()
    theirs = torch.isclose(torch.tensor(a), torch.tensor(b), equal_nan=equal_nan).tolist()
    assert ours == theirs


def test_allclose_with_tolerances():
    a = lt.tensor([1.0, 2.0])
    assert lt.allclose(a, a + 1e-6)
    assert not lt.allclose(a, a + 1e-3)
    assert lt.allclose(a, a + 1e-3, atol=1e-2)
