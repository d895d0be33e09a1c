"""The local AWS services behind the endpoint, one sub-package per service in one shape:
`service.py` (what the app and sources use), `route.py` (the wire protocol on the shared
endpoint), `backend.py` (moto's backend, the only modules besides route.py that import moto),
and the service's own model, store and persistence under the state directory. Sources
(sources/) reach them in-process; users reach them over HTTP on `--aws-port`."""
