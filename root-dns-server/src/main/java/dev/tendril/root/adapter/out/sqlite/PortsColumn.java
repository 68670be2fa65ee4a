package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.message.ServicePort;

import java.util.ArrayList;
import java.util.List;

/** Text form of a node's ports in one column: {@code name/protocol/port} joined by commas. */
final class PortsColumn {
    private PortsColumn() {
    }

    static String format(List<ServicePort> ports) {
        StringBuilder sb = new StringBuilder();
        for (ServicePort p : ports) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(p.name()).append('/').append(p.protocol()).append('/').append(p.port());
        }
        return sb.toString();
    }

    static List<ServicePort> parse(String text) {
        List<ServicePort> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        for (String item : text.split(",")) {
            String[] f = item.split("/");
            if (f.length != 3) {
                throw new IllegalArgumentException("bad ports column entry '" + item + "'");
            }
            out.add(new ServicePort(f[0], f[1], Integer.parseInt(f[2])));
        }
        return out;
    }
}
