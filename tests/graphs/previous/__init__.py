"""The break detection as it was before it ran over integer ids (issue 14, item 2; main at 4bcd10a):
graphs/detection.py, propagation.py, propagation_passes.py and routes.py frozen, only their imports of
the rest of graphs made absolute. ``tests/graphs/test_detection_previous.py`` compares the detection
with it on random supply graphs."""
