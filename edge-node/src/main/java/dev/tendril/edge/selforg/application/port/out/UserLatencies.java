package dev.tendril.edge.selforg.application.port.out;

import java.util.List;
import java.util.Optional;

/** Port: the users of a hosted service and their median latency over the window. */
public interface UserLatencies {
    /** One user: its address (IPv4/IPv6 literal) and median RTT in milliseconds. */
    record UserSample(String address, double medianMs) {
    }

    /**
     * The users seen on the service's ports in the window, or empty when latency is not
     * measured (degraded probe): then no QoE or idle decision is taken.
     */
    Optional<List<UserSample>> users(String service);
}
