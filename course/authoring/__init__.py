"""Tools for the course's maintainers, never imported by learners' code.

- ``navigation`` and ``minutes`` write the lessons' links, the README course map and
  INSTRUCTORS.md's timing table (``make nav``);
- ``notebooks`` re-runs notebooks from fresh kernels (``make execute``);
- ``bench`` and ``startup`` time the course (``make bench``);
- ``datacheck`` checks data/ against data/README.md's rules (``python -m course.authoring.datacheck``);
- ``drift`` and ``readings`` check what learners read (gathered by ``passages``) against the
  data, and ``audit`` writes the second-reader audit's report (data/AUDIT-2.md);
- ``release`` builds the student copy (``make release``), checked by ``release_checks``;
- ``lockfile`` finishes the lock files (``make lock``).

The student release keeps only ``notebooks``, which its tests use.
"""
