package dev.tendril.root.application;

import dev.tendril.root.domain.Basis;
import dev.tendril.root.domain.SpatialInstanceDirectory.NodeAddress;

import java.util.List;

/**
 * The outcome of one question, free of DNS wire types. Exactly one response writer turns it
 * into a reply; the mapping of outcomes to response codes lives there, in one function.
 */
public sealed interface Resolution {
    /** The client network size (prefix length) for which this outcome holds: the ECS scope. */
    int scope();

    /**
     * The name exists and has data of the asked type.
     *
     * @param answers    owned by the query name
     * @param additional addresses of platforms named by the answers (SRV glue)
     * @param ttlSeconds how long the answer may be cached
     */
    record Found(List<Answer> answers, List<NodeAddress> additional, int ttlSeconds, int scope, Basis basis)
            implements Resolution {
        public Found {
            answers = List.copyOf(answers);
            additional = List.copyOf(additional);
        }
    }

    /** The name exists but has no data of the asked type (for this client). */
    record NoData(int scope) implements Resolution {
    }

    /** No such name in the zone (unknown service, node or port). */
    record NoSuchName() implements Resolution {
        public int scope() {
            return 0;
        }
    }

    /** The service exists but no instance can be answered (none live). */
    record Unavailable() implements Resolution {
        public int scope() {
            return 0;
        }
    }

    /** The question was not taken up. */
    record Rejected(Reason reason) implements Resolution {
        public int scope() {
            return 0;
        }
    }

    /** Why a question was not taken up. */
    enum Reason {
        /** The message could not be parsed or is not a well-formed question. */
        MALFORMED,
        /** An operation other than a standard query. */
        NOT_IMPLEMENTED,
        /** Outside the served zones, not class IN, or a zone transfer. */
        REFUSED,
        /** An EDNS version this server does not speak. */
        BAD_VERSION,
        /** Signed with a transaction key (TSIG) this server does not know. */
        UNKNOWN_KEY
    }
}
