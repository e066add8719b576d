"""Great-circle distances between counties: the haversine formula of the matching spec.

Hard rule 5 keeps a pair only when the distance between the two counties is at
most the offer's delivery radius, compared with a slack of
:data:`RADIUS_TOLERANCE_KM` (one micrometre): two correct haversine
implementations may differ in the last bit, and a pair built to lie exactly on
the radius must count as allowed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EARTH_RADIUS_KM", "RADIUS_TOLERANCE_KM", "haversine_km"]

EARTH_RADIUS_KM = 6371.0
"""Earth radius of the haversine distance (km), fixed by the matching spec."""

RADIUS_TOLERANCE_KM = 1e-9
"""Slack of the delivery-radius comparison (one micrometre), see the module notes."""


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike,
                 lon2: ArrayLike) -> float | np.ndarray:
    """Great-circle distance in km between points given in degrees.

    Uses the haversine formula with the spec's earth radius of 6371.0 km.  Works on
    floats and on numpy arrays (element-wise).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float or array_like
        Latitudes and longitudes in degrees.

    Returns
    -------
    float or numpy.ndarray
        Distance in kilometres.

    See Also
    --------
    haversine_rad : the same from radians, as the index stores them.

    Examples
    --------
    >>> round(haversine_km(45.75, 126.63, 45.75, 126.63), 6)
    0.0
    >>> round(haversine_km(0.0, 0.0, 0.0, 1.0), 3)
    111.195
    """
    r1 = np.radians(np.asarray(lat1, dtype=np.float64))
    r2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlat = r2 - r1
    dlon = np.radians(np.asarray(lon2, dtype=np.float64)) - np.radians(
        np.asarray(lon1, dtype=np.float64)
    )
    d = haversine_rad(r1, r2, dlat, dlon)
    return float(d) if np.ndim(d) == 0 else d


def haversine_rad(lat1: np.ndarray, lat2: np.ndarray, dlat: np.ndarray,
                  dlon: np.ndarray, *, cos1: np.ndarray | None = None,
                  cos2: np.ndarray | None = None) -> np.ndarray:
    """Great-circle distance in km from latitudes and differences in radians (element-wise).

    Parameters
    ----------
    lat1, lat2 : numpy.ndarray
        Latitudes of the two ends, in radians.
    dlat, dlon : numpy.ndarray
        ``lat2 - lat1`` and ``lon2 - lon1``, in radians.
    cos1, cos2 : numpy.ndarray, optional
        ``np.cos(lat1)`` and ``np.cos(lat2)`` when the caller has them (the index keeps the
        cosine of each posting's latitude): the same values, not computed per pair again.

    Returns
    -------
    numpy.ndarray
        Distance in kilometres.

    Examples
    --------
    >>> import numpy as np
    >>> d = haversine_rad(np.zeros(2), np.zeros(2), np.zeros(2), np.radians([1.0, 2.0]))
    >>> np.round(d, 3).tolist()
    [111.195, 222.39]
    """
    if cos1 is None:
        cos1 = np.cos(lat1)
    if cos2 is None:
        cos2 = np.cos(lat2)
    a = np.sin(dlat * 0.5) ** 2 + cos1 * cos2 * np.sin(dlon * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def round_km(d: float) -> float:
    """A distance as reported: km to the metre.

    Examples
    --------
    >>> round_km(14.28571)
    14.286
    """
    return round(d, 3)
