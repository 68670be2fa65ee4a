package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.QueryType;
import dev.tendril.root.application.Resolution;
import dev.tendril.root.application.Resolution.Reason;
import dev.tendril.root.application.ServiceQuery;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Second stage of the query chain: turns a parsed message into a DNS-free
 * {@link ServiceQuery}, or rejects it: not a standard query -> NOT_IMPLEMENTED; not exactly
 * one question, several OPT records or ECS options -> MALFORMED; EDNS version other than 0
 * -> BAD_VERSION; class other than IN, a zone transfer, or a name outside every served zone
 * (longest-suffix match) -> REFUSED.
 */
final class DnsQueryMapper {
    private final List<Name> zones;
    private final List<String> zoneTexts;

    DnsQueryMapper(List<String> zones) {
        this.zones = new ArrayList<>();
        this.zoneTexts = List.copyOf(zones);
        for (String z : zones) {
            try {
                this.zones.add(Name.fromString(z));
            } catch (TextParseException e) {
                throw new IllegalArgumentException("dns.zones: got '" + z + "', allowed: a DNS name", e);
            }
        }
    }

    DnsRequest map(Message message, InetAddress source) {
        Record[] questions = message.getSectionArray(Section.QUESTION);
        Record question = questions.length == 1 ? questions[0] : null;
        OPTRecord opt = null;
        int optCount = 0;
        for (Record r : message.getSectionArray(Section.ADDITIONAL)) {
            if (r instanceof OPTRecord o) {
                opt = opt == null ? o : opt;
                optCount++;
            }
        }
        ClientSubnetOption ecs = null;
        int ecsCount = 0;
        boolean nsid = false;
        if (opt != null) {
            for (EDNSOption o : opt.getOptions()) {
                if (o instanceof ClientSubnetOption c) {
                    ecs = ecs == null ? c : ecs;
                    ecsCount++;
                } else if (o.getCode() == EDNSOption.Code.NSID) {
                    nsid = true;
                }
            }
        }
        Reason reason = check(message, question, opt, optCount, ecsCount);
        Name zone = question == null ? null : zoneOf(question.getName());
        if (reason == null && question != null && zone == null) {
            reason = Reason.REFUSED;
        }
        if (reason != null) {
            return new DnsRequest(message, question, zone, optCount > 1 ? null : opt, ecsCount > 1 ? null : ecs, nsid,
                    null, new Resolution.Rejected(reason));
        }
        ServiceQuery query = new ServiceQuery(zoneTexts.get(zones.indexOf(zone)), relativeLabels(question.getName(), zone),
                typeOf(question.getType()), source,
                ecs == null ? Optional.empty() : Optional.of(Cidr.of(ecs.getAddress(), ecs.getSourcePrefixLength())));
        return new DnsRequest(message, question, zone, opt, ecs, nsid, query, null);
    }

    private static Reason check(Message message, Record question, OPTRecord opt, int optCount, int ecsCount) {
        if (message.getHeader().getOpcode() != Opcode.QUERY) {
            return Reason.NOT_IMPLEMENTED;
        }
        if (question == null || optCount > 1 || ecsCount > 1) {
            return Reason.MALFORMED;
        }
        if (opt != null && opt.getVersion() != 0) {
            return Reason.BAD_VERSION;
        }
        int type = question.getType();
        if (question.getDClass() != DClass.IN || type == Type.AXFR || type == Type.IXFR) {
            return Reason.REFUSED;
        }
        return null;
    }

    /** The longest served zone that contains the name, or null. */
    private Name zoneOf(Name name) {
        Name best = null;
        for (Name z : zones) {
            if (name.subdomain(z) && (best == null || z.labels() > best.labels())) {
                best = z;
            }
        }
        return best;
    }

    private static List<String> relativeLabels(Name name, Name zone) {
        int n = name.labels() - zone.labels();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(name.getLabelString(i).toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static QueryType typeOf(int type) {
        return switch (type) {
            case Type.A -> QueryType.A;
            case Type.AAAA -> QueryType.AAAA;
            case Type.SRV -> QueryType.SRV;
            case Type.SOA -> QueryType.SOA;
            case Type.NS -> QueryType.NS;
            case Type.ANY -> QueryType.ANY;
            default -> QueryType.OTHER;
        };
    }
}
