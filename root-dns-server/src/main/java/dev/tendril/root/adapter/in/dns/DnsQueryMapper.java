package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.Answer;
import dev.tendril.root.application.QueryType;
import dev.tendril.root.application.Resolution;
import dev.tendril.root.application.Resolution.Reason;
import dev.tendril.root.application.ServiceQuery;
import dev.tendril.root.domain.Basis;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

/**
 * Second stage of the query chain: turns a parsed message into a DNS-free
 * {@link ServiceQuery}, or settles it alone: signed with a TSIG key (this server knows none)
 * -> UNKNOWN_KEY; not a standard query -> NOT_IMPLEMENTED; not exactly one question, several
 * OPT records or ECS options -> MALFORMED; EDNS version other than 0 -> BAD_VERSION; CHAOS
 * TXT {@code id.server}/{@code hostname.bind} (the NSID identity) and
 * {@code version.bind}/{@code version.server} (the configured version) -> answered; class
 * other than IN or ANY (QCLASS ANY is answered like IN), a zone transfer, or a name outside
 * every served zone (longest-suffix match) -> REFUSED.
 */
final class DnsQueryMapper {
    private final List<Name> zones;
    private final List<String> zoneTexts;
    private final Map<Name, String> chaosTexts = new HashMap<>();

    DnsQueryMapper(DnsConfig config) {
        this(config.zones(), config.nsid(), config.versionText());
    }

    DnsQueryMapper(List<String> zones, String identity, Optional<String> version) {
        this.zones = new ArrayList<>();
        this.zoneTexts = List.copyOf(zones);
        if (!identity.isEmpty()) {
            chaosTexts.put(Name.fromConstantString("id.server."), identity);
            chaosTexts.put(Name.fromConstantString("hostname.bind."), identity);
        }
        version.ifPresent(v -> {
            chaosTexts.put(Name.fromConstantString("version.bind."), v);
            chaosTexts.put(Name.fromConstantString("version.server."), v);
        });
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
        CookieOption cookie = null;
        if (opt != null) {
            for (EDNSOption o : opt.getOptions()) {
                if (o instanceof ClientSubnetOption c) {
                    ecs = ecs == null ? c : ecs;
                    ecsCount++;
                } else if (o.getCode() == EDNSOption.Code.NSID) {
                    nsid = true;
                } else if (o instanceof CookieOption c && cookie == null) {
                    cookie = c; // the first one counts (RFC 7873 5.2)
                }
            }
        }
        Reason reason = check(message, question, opt, optCount, ecsCount);
        if (reason == null && question.getDClass() == DClass.CH) {
            String text = chaosTexts.get(question.getName()); // Name equality ignores case
            int type = question.getType();
            Resolution settled = text != null && (type == Type.TXT || type == Type.ANY)
                    ? new Resolution.Found(List.of(new Answer.ServerText(text)), List.of(), 0, 0, Basis.NONE)
                    : new Resolution.Rejected(Reason.REFUSED);
            return new DnsRequest(message, question, null, opt, ecs, nsid, cookie, null, settled);
        }
        Name zone = question == null ? null : zoneOf(question.getName());
        if (reason == null && question != null && zone == null) {
            reason = Reason.REFUSED;
        }
        if (reason != null) {
            return new DnsRequest(message, question, zone, optCount > 1 ? null : opt, ecsCount > 1 ? null : ecs, nsid,
                    cookie, null, new Resolution.Rejected(reason));
        }
        ServiceQuery query = new ServiceQuery(zoneTexts.get(zones.indexOf(zone)), relativeLabels(question.getName(), zone),
                typeOf(question.getType()), source,
                ecs == null ? Optional.empty() : Optional.of(Cidr.of(ecs.getAddress(), ecs.getSourcePrefixLength())));
        return new DnsRequest(message, question, zone, opt, ecs, nsid, cookie, query, null);
    }

    private static Reason check(Message message, Record question, OPTRecord opt, int optCount, int ecsCount) {
        if (message.getTSIG() != null) {
            return Reason.UNKNOWN_KEY; // RFC 8945 5.2: checked before anything else
        }
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
        int dclass = question.getDClass();
        if (dclass == DClass.CH) {
            return null; // the identity names, decided by the caller
        }
        if ((dclass != DClass.IN && dclass != DClass.ANY) || type == Type.AXFR || type == Type.IXFR) {
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
