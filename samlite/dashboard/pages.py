"""The dashboard's pages as HTML: one layout (navigation, the page's title and its empty
regions), rendered here; static/dashboard.js fills the regions from the JSON API and keeps
them live from the event stream. Pure: a page name in, HTML out. No CDN, no build step."""

from __future__ import annotations

from html import escape

# page -> (navigation label, what the page is for)
PAGES: dict[str, tuple[str, str]] = {
    "app": ("App", "The app's resources and how they connect; a function lights up as it "
                   "runs and turns red when it fails."),
    "functions": ("Functions", "Each function's settings, environments and figures."),
    "invocations": ("Invocations", "Every invocation, newest first, as it happens."),
    "invoke": ("Invoke", "Invoke a function with an event of your own or a sample one."),
    "queues": ("Queues", "Depth, in flight and dead-letter messages; send, purge, redrive."),
    "buckets": ("Buckets", "Browse, view, upload (raising the S3 event) and delete objects."),
    "schedules": ("Schedules", "When each schedule fires next; fire one now."),
    "reloads": ("Reloads", "Code and template reloads, and what each changed."),
}


def render_page(page: str, *, arg: str | None, app_name: str) -> str:
    label, purpose = PAGES[page]
    nav = "".join(f'<a href="/{"" if name == "app" else name}"'
                  f'{" aria-current=page" if name == page else ""}>{escape(title)}</a>'
                  for name, (title, _) in PAGES.items())
    detail = f' data-arg="{escape(arg)}"' if arg else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(label)} · {escape(app_name)} · samlite</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/dashboard.css">
</head>
<body data-page="{page}"{detail}>
<header><strong>samlite</strong> <span class="app-name">{escape(app_name)}</span>
<nav>{nav}</nav><span id="live" class="live" title="live updates">●</span></header>
<main>
<h1>{escape(label if not arg else f"Invocation {arg}")}</h1>
<p class="purpose">{escape(purpose if not arg else "Its event, response, logs and chain.")}</p>
<div id="notices" aria-live="polite"></div>
<div id="content"></div>
</main>
<script src="/static/dashboard.js"></script>
</body>
</html>
"""
