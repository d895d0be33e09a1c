// Preloaded (--require) into a Node.js runtime in a container under `--debug` with
// `--runtime docker` (environments/container_debug.py). --inspect-brk holds Node before any
// script until a debugger attaches, so this runs once one has: it says so on stdout, where
// samlite starts timing init from, and gives the function back its own NODE_OPTIONS, so
// that node processes it starts do not try to open the inspector's port too.
'use strict';

const DEBUGGER_ATTACHED_MARKER = '\x1esamlite:debugger-attached';   // base.py reads it
const OWN_OPTIONS = '_SAMLITE_FUNCTION_NODE_OPTIONS';

process.stdout.write(`${DEBUGGER_ATTACHED_MARKER}\n`);
if (process.env[OWN_OPTIONS]) {
  process.env.NODE_OPTIONS = process.env[OWN_OPTIONS];
} else {
  delete process.env.NODE_OPTIONS;
}
delete process.env[OWN_OPTIONS];
