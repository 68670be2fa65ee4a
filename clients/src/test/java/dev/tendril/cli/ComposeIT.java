package dev.tendril.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The containerised environment as the README runs it: the images built by
 * {@code compose/images/build-images.sh} from this build's jars, {@code docker-compose up -d},
 * {@code compose/deploy-hello.sh}; then {@code dig} against the root container answers each
 * subnet with the nearest edge node container, the page comes from that node's instance, and
 * {@code down} leaves no container and no network behind. Uses the compose file's fixed host
 * ports on loopback (5353, 5390, 7411-7413, 8081-8083).
 */
class ComposeIT {
    private static final String COMPOSE = Testbed.REPO.resolve("compose/docker-compose.yml").toString();

    @AfterAll
    static void down() {
        Testbed.run(Duration.ofMinutes(2), "docker-compose", "-f", COMPOSE, "down");
    }

    @Test
    void rootAndEdgeContainersAnswerTheNearestAndLeaveNothingBehind() {
        Testbed.requireDockerAndDemoImage();
        Testbed.requireTool("docker-compose", "docker-compose");
        Testbed.run(Duration.ofMinutes(2), "docker-compose", "-f", COMPOSE, "down");
        // rebuilt every time: an image left by an older build would test other jars
        String built = Testbed.run(Duration.ofMinutes(10), "env", "REBUILD=1",
                Testbed.REPO.resolve("compose/images/build-images.sh").toString(), "--no-build");
        System.out.println(built.strip());
        for (String image : List.of("tendril/root:latest", "tendril/edge:latest")) {
            long bytes = Long.parseLong(Testbed.run(Duration.ofSeconds(30),
                    "docker", "image", "inspect", "-f", "{{.Size}}", image).strip());
            System.out.printf("ComposeIT: %s %d MB%n", image, bytes / 1_000_000);
        }

        Testbed.run(Duration.ofMinutes(3), "docker-compose", "-f", COMPOSE, "up", "-d");
        String deployed = Testbed.run(Duration.ofMinutes(5), Testbed.REPO.resolve("compose/deploy-hello.sh").toString());
        assertTrue(deployed.contains("tokyo-edge 10.77.0.13"), deployed);

        assertEquals("10.77.0.11", answer("198.18.0.0/24", "10.77.0.11"), "Munich");
        assertEquals("10.77.0.12", answer("198.18.3.0/24", "10.77.0.12"), "New York");
        assertEquals("10.77.0.13", answer("198.18.7.0/24", "10.77.0.13"), "Sydney: Tokyo is the nearest");
        String page = Testbed.until("New York's page", Duration.ofSeconds(30), () -> {
            String out = Testbed.run(Duration.ofSeconds(10), "sh", "-c", "curl -s --max-time 2 http://127.0.0.1:8082/ || true");
            return out.contains("newyork-edge") ? Optional.of(out) : Optional.empty();
        });
        assertEquals("tendril httpd-demo on node newyork-edge", page.strip());

        Testbed.run(Duration.ofMinutes(2), "docker-compose", "-f", COMPOSE, "down");
        List<String> left = lines(Testbed.run(Duration.ofSeconds(30),
                "docker", "ps", "-a", "--filter", "name=tendril-", "--format", "{{.Names}}"));
        assertEquals(List.of(), left, "containers left after down (the edge nodes' instances too)");
        assertEquals(List.of(), lines(Testbed.run(Duration.ofSeconds(30),
                "docker", "network", "ls", "--filter", "name=^tendril$", "--format", "{{.Name}}")), "network left after down");
    }

    /**
     * dig's answer for hello from a client in {@code subnet}: the expected one as soon as it
     * comes (the last instance may still be attaching), else the last answer seen.
     */
    private static String answer(String subnet, String expected) {
        String[] last = {""};
        try {
            return Testbed.until("answer " + expected + " for " + subnet, Duration.ofSeconds(30), () -> {
                String out = Testbed.run(Duration.ofSeconds(15), "sh", "-c", "dig @127.0.0.1 -p 5353 +short +tries=1 +time=2"
                        + " hello.svc.example.edge +subnet=" + subnet + " || true").strip();
                last[0] = out;
                return out.equals(expected) ? Optional.of(out) : Optional.empty();
            });
        } catch (AssertionError e) {
            return last[0];
        }
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
