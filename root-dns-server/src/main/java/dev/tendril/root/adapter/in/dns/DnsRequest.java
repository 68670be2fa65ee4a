package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.Resolution;
import dev.tendril.root.application.ServiceQuery;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;

/**
 * A parsed query, with what the response writer needs from it. Exactly one of
 * {@code query} (a question for the resolver) and {@code settled} (an outcome the mapper
 * decided alone: a rejection, or a CHAOS identity answer) is set.
 *
 * @param question   the single question, or null when the message had none or several
 * @param zone       the served zone the question falls into, or null
 * @param opt        the query's OPT record, or null (no EDNS)
 * @param ecs        the query's client subnet option, or null
 * @param nsid       true when the query asked for the NSID
 * @param cookie     the query's first COOKIE option, or null
 */
record DnsRequest(Message message, Record question, Name zone, OPTRecord opt, ClientSubnetOption ecs, boolean nsid,
                  CookieOption cookie, ServiceQuery query, Resolution settled) {

    /** Largest UDP response the requester accepts: its EDNS payload size (at least 512), else 512. */
    int requesterUdpPayload() {
        return opt == null ? 512 : Math.max(512, opt.getPayloadSize());
    }
}
