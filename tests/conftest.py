import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def torchvision_models():
    """torchvision.models, or a skip where torchvision is unusable.

    CI sets EXPLORER_REQUIRE_TORCHVISION=1 so a broken install fails the run instead of skipping
    (the torchvision paths must be exercised for real there).
    """
    from explorer.optional import torchvision_status

    status = torchvision_status()
    if not status.available:
        if os.environ.get("EXPLORER_REQUIRE_TORCHVISION") == "1":
            pytest.fail(status.message)
        pytest.skip(status.message)
    import torchvision.models

    return torchvision.models
