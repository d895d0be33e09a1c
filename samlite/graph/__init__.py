"""The app graph: a frozen, typed model of what a resolved template runs locally (model.py),
built by build.py from template values read by values.py, drawn by render.py; support.py
declares what samlite does with each template property the builder reads."""
