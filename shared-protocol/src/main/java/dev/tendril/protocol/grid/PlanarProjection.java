package dev.tendril.protocol.grid;

import dev.tendril.protocol.geo.GeoPoint;

/**
 * The planar projection of capacity grids: equirectangular (plate carrée) in fixed-point
 * units, so that binning and aggregation are exact integer arithmetic.
 *
 * <pre>
 * x = round((lon + 180) / 360 * 2^32)  mod 2^32     one turn of longitude = {@link #TURN} units
 * y = round((lat +  90) / 180 * 2^31)  in [0, 2^31)  pole to pole = {@link #Y_SPAN} units
 * </pre>
 *
 * Both axes use the same angle per unit (360 / 2^32 degrees, about 9 mm on the equator).
 * x wraps: x = 0 is the antimeridian (lon -180 = lon 180). A rectangle that straddles the
 * antimeridian is written with its west edge {@code x0} in [0, 2^32) and an east edge
 * beyond 2^32; a point is placed in it by unwrapping its x relative to the west edge
 * ({@link #unwrap}). The north pole (y = 2^31) is put one unit south of it, so that every
 * latitude falls in [0, 2^31). Distances are never measured in this plane: callers turn
 * positions back into {@link GeoPoint}s and use great-circle distances.
 */
public final class PlanarProjection {
    /** x units in one turn (360 degrees of longitude). */
    public static final long TURN = 1L << 32;
    /** y units from the south pole to the north pole (180 degrees of latitude). */
    public static final long Y_SPAN = 1L << 31;
    /** Largest cell level of each axis: one cell of 2^32 x units is a whole turn, 2^31 y units pole to pole. */
    public static final int MAX_LEVEL_X = 32;
    public static final int MAX_LEVEL_Y = 31;

    private PlanarProjection() {
    }

    /** x of a longitude, in [0, {@link #TURN}). */
    public static long x(double longitude) {
        return Math.floorMod(Math.round((longitude + 180.0) / 360.0 * TURN), TURN);
    }

    /** y of a latitude, in [0, {@link #Y_SPAN}). */
    public static long y(double latitude) {
        long v = Math.round((latitude + 90.0) / 180.0 * Y_SPAN);
        return Math.max(0, Math.min(Y_SPAN - 1, v));
    }

    public static long x(GeoPoint p) {
        return x(p.longitude());
    }

    public static long y(GeoPoint p) {
        return y(p.latitude());
    }

    /** The longitude of an x (any value: it is taken modulo a turn), in [-180, 180). */
    public static double longitude(double x) {
        double turns = x / TURN;
        double lon = (turns - Math.floor(turns)) * 360.0 - 180.0;
        return lon >= 180.0 ? lon - 360.0 : lon;
    }

    /** The latitude of a y, clamped to [-90, 90]. */
    public static double latitude(double y) {
        return Math.max(-90.0, Math.min(90.0, y / Y_SPAN * 180.0 - 90.0));
    }

    /** The position of a plane point (x may be unwrapped beyond a turn). */
    public static GeoPoint point(double x, double y) {
        return new GeoPoint(latitude(y), longitude(x));
    }

    /** x unwrapped relative to a west edge {@code x0} in [0, TURN): the value in [x0, x0 + TURN) equal to x modulo a turn. */
    public static long unwrap(long x, long x0) {
        long m = Math.floorMod(x, TURN);
        return m >= x0 ? m : m + TURN;
    }
}
