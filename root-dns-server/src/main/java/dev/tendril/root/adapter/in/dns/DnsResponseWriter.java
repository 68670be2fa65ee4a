package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.Answer;
import dev.tendril.root.application.Resolution;
import dev.tendril.root.domain.SpatialInstanceDirectory.NodeAddress;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.HINFORecord;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one stage that writes responses: sets the response code (from {@link #rcodeOf}, the
 * only outcome-to-rcode mapping), AA, RD (copied), never RA; the answer records with their
 * TTL; SOA in the authority section of negative answers; glue; the OPT record with the ECS
 * scope, NSID and the query's DO bit; QTYPE ANY answered with one HINFO "RFC8482" (RFC 8482); an unsigned TSIG error after it for an unknown key;
 * and finally {@code toWire(maxLength)}, which drops whole RRsets and sets
 * TC when the answer does not fit.
 */
final class DnsResponseWriter {
    private final DnsConfig config;
    private final Map<Name, SOARecord> soaByZone = new HashMap<>();
    private final Map<Name, SOARecord> negativeSoaByZone = new HashMap<>();
    private final Map<Name, List<NSRecord>> nsByZone = new HashMap<>();
    private final Name nodesLabel;
    private final byte[] nsid;

    DnsResponseWriter(DnsConfig config) {
        this.config = config;
        try {
            nodesLabel = Name.fromString("nodes");
            Name primary = Name.fromString(config.soaPrimary());
            Name admin = Name.fromString(config.soa().admin());
            for (String z : config.zones()) {
                Name zone = Name.fromString(z);
                DnsConfig.Soa s = config.soa();
                soaByZone.put(zone, new SOARecord(zone, DClass.IN, config.soaTtlSeconds(), primary, admin,
                        s.serial(), s.refresh(), s.retry(), s.expire(), s.minimum()));
                negativeSoaByZone.put(zone, new SOARecord(zone, DClass.IN, config.negativeTtlSeconds(), primary, admin,
                        s.serial(), s.refresh(), s.retry(), s.expire(), s.minimum()));
                List<NSRecord> ns = new ArrayList<>();
                for (String n : config.nameServers()) {
                    ns.add(new NSRecord(zone, DClass.IN, config.soaTtlSeconds(), Name.fromString(n)));
                }
                nsByZone.put(zone, List.copyOf(ns));
            }
        } catch (TextParseException e) {
            throw new IllegalArgumentException("invalid name in DNS config: " + e.getMessage(), e);
        }
        nsid = config.nsid().getBytes(StandardCharsets.US_ASCII);
    }

    /** The one mapping from outcomes to DNS response codes (BADVERS is an extended code: 16). */
    static int rcodeOf(Resolution r) {
        if (r instanceof Resolution.Found || r instanceof Resolution.NoData) {
            return Rcode.NOERROR;
        }
        if (r instanceof Resolution.NoSuchName) {
            return Rcode.NXDOMAIN;
        }
        if (r instanceof Resolution.Unavailable) {
            return Rcode.SERVFAIL;
        }
        return switch (((Resolution.Rejected) r).reason()) {
            case MALFORMED -> Rcode.FORMERR;
            case NOT_IMPLEMENTED -> Rcode.NOTIMP;
            case REFUSED -> Rcode.REFUSED;
            case BAD_VERSION -> Rcode.BADVERS;
            case UNKNOWN_KEY -> Rcode.NOTAUTH;
        };
    }

    /** The response to a parsed request, at most {@code maxLength} bytes. */
    byte[] write(DnsRequest request, Resolution resolution, int maxLength) {
        return write(request, resolution, maxLength, null);
    }

    /** The response to a parsed request, with {@code cookie} (client and server cookie) in its OPT when not null. */
    byte[] write(DnsRequest request, Resolution resolution, int maxLength, EDNSOption cookie) {
        Message query = request.message();
        Message response = new Message(query.getHeader().getID());
        Header h = response.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (request.question() != null) {
            response.addRecord(request.question(), Section.QUESTION);
        }
        int rcode = rcodeOf(resolution);
        h.setRcode(rcode & 0xF);
        boolean chaos = request.zone() == null && resolution instanceof Resolution.Found;
        if ((request.zone() != null || chaos) && (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN)) {
            h.setFlag(Flags.AA);
            addRecords(response, request, resolution);
        }
        if (request.opt() != null) {
            response.addRecord(opt(request, resolution, rcode, cookie), Section.ADDITIONAL);
        }
        if (resolution instanceof Resolution.Rejected r && r.reason() == Resolution.Reason.UNKNOWN_KEY) {
            return withLastRecord(response, unsignedTsigError(query.getTSIG(), query.getHeader().getID()), maxLength);
        }
        return response.toWire(maxLength);
    }

    /**
     * The message with {@code last} appended as the very last additional record (TSIG must
     * be last; dnsjava writes OPT after records added to the section by hand).
     */
    private static byte[] withLastRecord(Message response, Record last, int maxLength) {
        byte[] tail = last.toWire(Section.ADDITIONAL);
        byte[] body = response.toWire(maxLength - tail.length);
        byte[] out = Arrays.copyOf(body, body.length + tail.length);
        System.arraycopy(tail, 0, out, body.length, tail.length);
        int arcount = ((out[10] & 0xFF) << 8 | (out[11] & 0xFF)) + 1;
        out[10] = (byte) (arcount >>> 8);
        out[11] = (byte) arcount;
        return out;
    }

    /**
     * The TSIG record of an error answer to a query signed with an unknown key (RFC 8945
     * 5.2.1, 5.3.2): the query's key name, algorithm, time and fudge, the original id, error
     * BADKEY, and no MAC (the answer is unsigned: the key is unknown).
     */
    private static TSIGRecord unsignedTsigError(TSIGRecord query, int id) {
        return new TSIGRecord(query.getName(), DClass.ANY, 0, query.getAlgorithm(), query.getTimeSigned(),
                query.getFudge(), new byte[0], id, Rcode.BADKEY, null);
    }

    private void addRecords(Message response, DnsRequest request, Resolution resolution) {
        Name zone = request.zone();
        Name owner = request.question().getName();
        if (resolution instanceof Resolution.Found f && isMinimalAny(request)) {
            // RFC 8482 4.2: one small synthesised HINFO instead of every RRset of the name
            response.addRecord(new HINFORecord(owner, DClass.IN, f.ttlSeconds() > 0 ? f.ttlSeconds() : config.soaTtlSeconds(),
                    "RFC8482", ""), Section.ANSWER);
        } else if (resolution instanceof Resolution.Found f) {
            for (Answer a : f.answers()) {
                if (a instanceof Answer.Address ad) {
                    response.addRecord(address(owner, f.ttlSeconds(), ad.address()), Section.ANSWER);
                } else if (a instanceof Answer.ServiceLocation s) {
                    response.addRecord(new SRVRecord(owner, DClass.IN, f.ttlSeconds(), s.priority(), 0, s.port(),
                            nodeName(s.nodeId(), zone)), Section.ANSWER);
                } else if (a instanceof Answer.ZoneAuthority) {
                    response.addRecord(soaByZone.get(zone), Section.ANSWER);
                } else if (a instanceof Answer.ZoneNameServers) {
                    nsByZone.get(zone).forEach(r -> response.addRecord(r, Section.ANSWER));
                } else if (a instanceof Answer.ServerText t) {
                    response.addRecord(new TXTRecord(owner, DClass.CH, 0, t.text()), Section.ANSWER);
                }
            }
            for (NodeAddress g : f.additional()) {
                response.addRecord(address(nodeName(g.nodeId(), zone), f.ttlSeconds(), g.address()), Section.ADDITIONAL);
            }
        } else {
            response.addRecord(negativeSoaByZone.get(zone), Section.AUTHORITY);
        }
    }

    /** QTYPE ANY in a served zone: answered minimally (RFC 8482). */
    private static boolean isMinimalAny(DnsRequest request) {
        return request.zone() != null && request.question().getType() == Type.ANY;
    }

    private OPTRecord opt(DnsRequest request, Resolution resolution, int rcode, EDNSOption cookie) {
        List<EDNSOption> options = new ArrayList<>(3);
        ClientSubnetOption ecs = request.ecs();
        if (ecs != null && rcode != Rcode.FORMERR) {
            // the minimal ANY answer holds for every client: scope 0
            int scope = resolution instanceof Resolution.Found && isMinimalAny(request) ? 0 : resolution.scope();
            options.add(new ClientSubnetOption(ecs.getSourcePrefixLength(), scope, ecs.getAddress()));
        }
        if (request.nsid() && nsid.length > 0) {
            options.add(new NSIDOption(nsid));
        }
        if (cookie != null) {
            options.add(cookie);
        }
        int flags = request.opt().getFlags() & ExtendedFlags.DO; // RFC 3225 3: DO copied into the response
        return new OPTRecord(config.maxUdpPayload(), rcode >>> 4, 0, flags, options);
    }

    private static Record address(Name owner, int ttl, InetAddress address) {
        return address instanceof Inet4Address
                ? new ARecord(owner, DClass.IN, ttl, address)
                : new AAAARecord(owner, DClass.IN, ttl, address);
    }

    private Name nodeName(String nodeId, Name zone) {
        try {
            return Name.concatenate(Name.fromString(nodeId, nodesLabel), zone);
        } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
            throw new IllegalStateException("node name too long under zone " + zone + ": " + nodeId, e);
        }
    }

    /**
     * The rate limiter's slip: the query's id, opcode, RD and question, QR and TC, no records,
     * so that a real client asks again over TCP.
     */
    byte[] truncated(DnsRequest request) {
        Message query = request.message();
        Message response = new Message(query.getHeader().getID());
        Header h = response.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.TC);
        h.setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (request.question() != null) {
            response.addRecord(request.question(), Section.QUESTION);
        }
        return response.toWire();
    }

    /**
     * A header-only response to a message that could not be parsed: the query's id and
     * opcode, QR, RD copied, the given rcode, no sections. Needs the 12 header bytes.
     */
    static byte[] headerOnly(byte[] query, int rcode) {
        byte[] out = new byte[12];
        out[0] = query[0];
        out[1] = query[1];
        out[2] = (byte) (0x80 | (query[2] & 0x79)); // QR, opcode and RD copied
        out[3] = (byte) (rcode & 0x0F);
        return out;
    }
}
