package dev.tendril.edge.monitoring.hardware;

import java.util.Optional;

/** Port: reads the machine's hardware figures now. Empty when they cannot be read this time. */
public interface HardwareCollector {
    Optional<HardwareReading> read();
}
