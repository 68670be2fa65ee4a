package dev.tendril.geoip.adapter.out.maxmind;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Decoded records by data offset: a direct-mapped table (one slot per hash, the newest record
 * wins a slot), lock-free and allocation-free on a hit. With zero slots every lookup decodes.
 */
final class PlaceCache {
    /** Decodes the record at a data offset. */
    interface Decoder {
        Place decode(int offset);
    }

    private final AtomicReferenceArray<Place> slots;
    private final int mask;
    private final Decoder decoder;

    /** @param entries rounded up to a power of two; 0 disables caching */
    PlaceCache(int entries, Decoder decoder) {
        int size = entries <= 0 ? 0 : Integer.highestOneBit(Math.max(1, entries - 1)) << 1;
        if (entries == 1) {
            size = 1;
        }
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
        this.decoder = decoder;
    }

    Place get(int offset) {
        if (mask < 0) {
            return decoder.decode(offset);
        }
        int slot = (offset * 0x9E3779B9 >>> 16) & mask;
        Place place = slots.getAcquire(slot);
        if (place != null && place.offset() == offset) {
            return place;
        }
        place = decoder.decode(offset);
        slots.setRelease(slot, place);
        return place;
    }
}
