package dev.tendril.edge.monitoring.latency;

import dev.tendril.protocol.spec.PortSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServedSocketsTest {
    static final long OWN = 4026531840L;
    static final long MINE = 4026532325L;
    static final long OTHER = 4026532400L; // another node's container, or another emulated host
    static final PortSpec HTTP = new PortSpec("http", "tcp", 80, 8080);

    @Test
    void processInstancesServeOnTheHostPortInTheNodesOwnNamespaceOnly() {
        ServedSockets s = ServedSockets.ownNamespace(OWN);
        assertTrue(s.serves(OWN, 8080, HTTP));
        assertFalse(s.serves(OWN, 80, HTTP), "the container port means nothing to a process instance");
        assertFalse(s.serves(OTHER, 8080, HTTP), "another host's users on the same port are not ours");
        s.refresh();
        assertFalse(s.serves(MINE, 80, HTTP));
    }

    @Test
    void containersServeOnTheContainerPortInTheirOwnNamespacesAndTheProxyOnTheHostPort() {
        Deque<Optional<Set<Long>>> answers = new ArrayDeque<>();
        answers.add(Optional.of(Set.of(MINE)));
        ServedSockets s = ServedSockets.withContainers(OWN, answers::poll);
        assertFalse(s.serves(MINE, 80, HTTP), "nothing is known before the first refresh");
        s.refresh();
        assertEquals(Set.of(MINE), s.containerNamespaces());
        assertTrue(s.serves(MINE, 80, HTTP), "DNAT: the user's socket lives in the container, on the container port");
        assertFalse(s.serves(MINE, 8080, HTTP), "inside the container only the container port serves");
        assertTrue(s.serves(OWN, 8080, HTTP), "userland proxy: the host port in the node's namespace");
        assertFalse(s.serves(OWN, 80, HTTP));
        assertFalse(s.serves(OTHER, 80, HTTP), "another node's container on the same kernel");
    }

    @Test
    void aFailedRefreshKeepsTheLastKnownNamespacesAndALaterOneReplacesThem() {
        Deque<Optional<Set<Long>>> answers = new ArrayDeque<>();
        answers.add(Optional.of(Set.of(MINE)));
        answers.add(Optional.empty());
        answers.add(Optional.of(Set.of()));
        ServedSockets s = ServedSockets.withContainers(OWN, answers::poll);
        s.refresh();
        s.refresh(); // engine did not answer
        assertTrue(s.serves(MINE, 80, HTTP));
        s.refresh(); // the container is gone
        assertFalse(s.serves(MINE, 80, HTTP));
    }

    @Test
    void withoutProcfsEveryNamespaceCountsOnEitherPort() {
        ServedSockets s = ServedSockets.anyNamespace();
        assertTrue(s.serves(OTHER, 8080, HTTP));
        assertTrue(s.serves(OTHER, 80, HTTP));
        assertFalse(s.serves(OTHER, 9090, HTTP));
    }
}
