"""Pure scoring core: no I/O, no clock."""
