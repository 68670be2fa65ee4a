package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.protocol.grid.Capacity;

/** Port: this platform's hardware figures now. */
public interface LoadGauge {
    LoadSample load();

    /** What the platform has free (its point in the capacity grids). */
    Capacity free();
}
