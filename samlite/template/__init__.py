"""The template layer: load (with marks), check against schemas/, resolve. Pure: it reads the
template files it is given and does no other I/O."""
