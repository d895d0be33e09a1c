"""The local dashboard `samlite up` serves on --ui-port: pages, a JSON API and a stream of
events about one running app. It reads the app (app/root.py) and acts through the app's
own services; nothing below it knows it exists."""
