package dev.tendril.root.testing;

import dev.tendril.root.adapter.in.dns.DnsConfig;
import dev.tendril.root.adapter.in.dns.DnsServer;
import dev.tendril.root.domain.SpatialInstanceDirectory;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Test-scoped manual launcher: the DNS server alone, with the {@link World} instances and the
 * fake locator. Run with {@code java -cp target/test-classes:target/classes:target/lib/* 
 * dev.tendril.root.testing.DemoDnsLauncher [port]} and try the printed dig commands.
 */
public final class DemoDnsLauncher {
    private DemoDnsLauncher() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Clock clock = Clock.systemUTC();
        SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
            d.putInstance("web", World.SYD, true);
        });
        DnsConfig config = DnsConfig.builder().port(port).nsid("demo-root").build();
        DnsServer server = new DnsServer(config, dir, World.locator(), clock).start();
        String z = config.zones().get(0);
        int p = server.port();
        System.out.println("DNS on 127.0.0.1 port " + p + "; try:");
        for (String c : List.of("dig @127.0.0.1 -p " + p + " web." + z + " A +subnet=203.0.113.0/24",
                "dig @127.0.0.1 -p " + p + " web." + z + " A +subnet=198.51.100.0/24 +nsid",
                "dig @127.0.0.1 -p " + p + " _http._tcp.web." + z + " SRV +tcp",
                "dig @127.0.0.1 -p " + p + " " + z + " SOA")) {
            System.out.println("  " + c);
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            done.countDown();
        }));
        done.await();
    }
}
