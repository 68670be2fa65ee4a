package dev.tendril.root.bootstrap;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.protocol.message.ServicePort;

import java.util.Arrays;
import java.util.List;

/**
 * The demo's registration client (until tendrilctl has root commands): registers instances
 * of service {@code web} in six cities through the real control endpoint, or records a
 * migration, or prints the tree. The first argument lists the control endpoints of the roots
 * of one group, comma-separated: a change goes to the leader, and a root that does not answer
 * (killed, as the demo invites) is passed over for the next.
 *
 * <pre>
 * DemoRegistration tcp://127.0.0.1:5390,tcp://127.0.0.1:5391,tcp://127.0.0.1:5392 setup
 * DemoRegistration tcp://127.0.0.1:5390 migrate &lt;target-node&gt; &lt;seconds&gt; &lt;subnet&gt;...
 * DemoRegistration tcp://127.0.0.1:5390 tree
 * </pre>
 */
public final class DemoRegistration {
    /** A demo instance: node id, address, city position (the cities of geoip-data/csv/demo.csv). */
    public record City(String nodeId, String address, double lat, double lon) {
        public NodeInfo info() {
            return new NodeInfo(nodeId, address, new GeoPoint(lat, lon), List.of(new ServicePort("http", "tcp", 8080)), 7000);
        }
    }

    public static final String SERVICE = "web";
    public static final List<City> CITIES = List.of(
            new City("munich", "192.0.2.10", 48.1374, 11.5755),
            new City("new-york", "192.0.2.20", 40.7128, -74.0060),
            new City("sao-paulo", "192.0.2.30", -23.5505, -46.6333),
            new City("tokyo", "192.0.2.40", 35.6762, 139.6503),
            new City("sydney", "192.0.2.50", -33.8688, 151.2093),
            new City("nairobi", "192.0.2.60", -1.2921, 36.8219));

    private DemoRegistration() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: DemoRegistration <control-endpoint>[,<control-endpoint>...] setup | tree | migrate <target> <seconds> <subnet>...");
            System.exit(2);
        }
        // CURVE from TENDRIL_CURVE_KEY and TENDRIL_ROOT_KEY when set (the demo's operator key)
        try (ControlCalls root = ControlCalls.followingLeader(List.of(args[0].split(",")), "demo",
                dev.tendril.protocol.keys.CurveEnvironment.toRoot(System.getenv()))) {
            switch (args[1]) {
                case "setup" -> setup(root);
                case "tree" -> printTree(root);
                case "migrate" -> {
                    if (args.length < 5) {
                        System.err.println("usage: ... migrate <target-node> <seconds> <subnet>...");
                        System.exit(2);
                    }
                    RootMessage reply = root.call(new RecordMigration(SERVICE, Arrays.asList(args).subList(4, args.length),
                            args[2], Long.parseLong(args[3]) * 1000));
                    System.out.println(reply);
                }
                default -> {
                    System.err.println("unknown command " + args[1]);
                    System.exit(2);
                }
            }
        }
    }

    /** Creates the tree (top: the first city) and registers the others; safe to run again. */
    public static void setup(ControlCalls root) {
        City top = CITIES.get(0);
        expectRegistered(root.call(new CreateTree(SERVICE, top.info())), top);
        for (City c : CITIES.subList(1, CITIES.size())) {
            expectRegistered(root.call(new RegisterNode(SERVICE, c.info())), c);
        }
        printTree(root);
    }

    private static void expectRegistered(RootMessage reply, City city) {
        if (!(reply instanceof Registered)) {
            throw new IllegalStateException("registering " + city.nodeId() + " failed: " + reply);
        }
    }

    static void printTree(ControlCalls root) {
        RootMessage reply = root.call(new TreeQuery(SERVICE));
        if (!(reply instanceof TreeListing listing)) {
            System.out.println(reply);
            return;
        }
        System.out.printf("%-10s %-12s %-10s %-5s %s%n", "node", "address", "parent", "live", "position");
        for (TreeNodeView n : listing.nodes()) {
            System.out.printf("%-10s %-12s %-10s %-5s %s%n", n.node().nodeId(), n.node().address(),
                    n.parentId().isEmpty() ? "-" : n.parentId(), n.live(), n.node().position());
        }
    }
}
