// Anchors the precompiled doctest header that the test executables reuse.
