"""Tools for the course's maintainers, never imported by learners' code.

``navigation`` and ``minutes`` write the lessons' links, the README course map and the timing
table (``make nav``); ``notebooks`` re-runs notebooks (``make execute``); ``bench`` and
``startup`` time the course; ``audit`` and ``drift`` check the lessons against the data, and
``datacheck`` checks the tables in data/; ``release`` builds the student copy and ``lockfile``
finishes the lock files (``make lock``). The student release keeps only ``notebooks``, which
its tests use.
"""
