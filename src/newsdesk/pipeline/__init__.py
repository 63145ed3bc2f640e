"""Pure pipeline stages: plain data in, plain data out; no Django, no clock of their own."""
