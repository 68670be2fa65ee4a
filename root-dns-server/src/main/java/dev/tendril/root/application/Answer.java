package dev.tendril.root.application;

import java.net.InetAddress;

/** One piece of a positive answer, owned by the query name; DNS-neutral. */
public sealed interface Answer {
    /** An address of the name (A for IPv4, AAAA for IPv6). */
    record Address(InetAddress address) implements Answer {
    }

    /** A service location: {@code port} on the platform {@code nodeId} (served as {@code <nodeId>.nodes.<zone>}). */
    record ServiceLocation(int priority, int port, String nodeId) implements Answer {
    }

    /** The zone's start of authority. */
    record ZoneAuthority() implements Answer {
    }

    /** The zone's name servers. */
    record ZoneNameServers() implements Answer {
    }

    /** A line of text about the server itself (its identity or version, served as CHAOS TXT). */
    record ServerText(String text) implements Answer {
    }
}
