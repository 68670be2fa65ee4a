package dev.tendril.root.application;

/** The record types the root answers, in DNS-neutral terms. */
public enum QueryType {
    /** IPv4 address. */
    A,
    /** IPv6 address. */
    AAAA,
    /** Service location: target host and port. */
    SRV,
    /** Start of authority (zone apex). */
    SOA,
    /** Name servers (zone apex). */
    NS,
    /** Every type the name has. */
    ANY,
    /** Any other type: the name may exist but has no data of that type. */
    OTHER
}
