"""What every moto response class samlite uses is given: the app's own backend, account and
region, in place of moto's global registry and the request's URL. Mixed in before the moto
class (each service's route.py makes that class on first use, so moto is imported there
alone); each service names its backend property itself (`sqs_backend`, `backend`, ...)."""

from __future__ import annotations

from typing import Any


class AppBound:
    def __init__(self, backend: Any, *, account_id: str, region: str) -> None:
        super().__init__()
        self._app_backend = backend
        self._app_account_id = account_id
        self._app_region = region

    def get_region_from_url(self, request: Any, full_url: str) -> str:
        return self._app_region

    def get_current_account(self) -> str:
        return self._app_account_id
