package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.ResolveService;
import dev.tendril.root.application.Resolution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.net.InetAddress;

/**
 * The query chain, transport-independent: drop what is not a query -> parse with dnsjava
 * (failure -> FORMERR with the query's id) -> map to a {@code ServiceQuery} or a rejection
 * -> resolve -> write. Never throws: an unexpected exception is counted, logged and
 * answered SERVFAIL.
 */
final class DnsQueryHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DnsQueryHandler.class);
    static final int TCP_MAX = 65535;

    private final DnsQueryMapper mapper;
    private final ResolveService resolver;
    private final DnsResponseWriter writer;
    private final DnsMetrics metrics;
    private final int maxUdpPayload;

    DnsQueryHandler(DnsConfig config, ResolveService resolver, DnsMetrics metrics) {
        this.mapper = new DnsQueryMapper(config.zones());
        this.resolver = resolver;
        this.writer = new DnsResponseWriter(config);
        this.metrics = metrics;
        this.maxUdpPayload = config.maxUdpPayload();
    }

    /** The response to {@code wire} from {@code source}, or null when nothing is to be sent. */
    byte[] handle(byte[] wire, InetAddress source, boolean tcp) {
        long startNanos = System.nanoTime();
        metrics.countQuery(tcp);
        if (wire.length < Header.LENGTH || (wire[2] & 0x80) != 0) {
            metrics.countDropped(); // no id to answer to, or a response: never answer responses
            return null;
        }
        Message message;
        try {
            message = new Message(wire);
        } catch (Exception e) { // WireParseException mostly; dnsjava may throw others on garbage
            metrics.countMalformed();
            metrics.countRcode(Rcode.FORMERR);
            return DnsResponseWriter.headerOnly(wire, Rcode.FORMERR);
        }
        try {
            DnsRequest request = mapper.map(message, source);
            Resolution resolution = request.rejected() != null ? request.rejected() : resolver.resolve(request.query());
            int max = tcp ? TCP_MAX : Math.min(maxUdpPayload, request.requesterUdpPayload());
            byte[] out = writer.write(request, resolution, max);
            metrics.countRcode(DnsResponseWriter.rcodeOf(resolution));
            metrics.countAnswer(request, resolution, DnsResponseWriter.rcodeOf(resolution), tcp, startNanos);
            if ((out[2] & 0x02) != 0) { // TC
                metrics.countTruncated();
            }
            return out;
        } catch (RuntimeException e) {
            metrics.countUnexpectedError();
            metrics.countRcode(Rcode.SERVFAIL);
            LOG.warn("unexpected error answering query id {} from {}", message.getHeader().getID(), source, e);
            return DnsResponseWriter.headerOnly(wire, Rcode.SERVFAIL);
        }
    }

}
