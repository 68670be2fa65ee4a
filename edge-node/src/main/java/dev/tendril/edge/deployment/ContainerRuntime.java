package dev.tendril.edge.deployment;

import java.util.List;
import java.util.OptionalInt;

/**
 * Port: runs service instances on this machine (containers or plain processes). Every
 * instance carries labels naming Tendril, the owning node and the service, so a restarted
 * node finds what it owns. Implementations are thread-safe.
 */
public interface ContainerRuntime {
    /** A short name for reports ("docker", "process"). */
    String kind();

    /** Creates and starts an instance; a leftover instance of the same node and service is replaced. */
    RuntimeResult start(InstanceRequest request);

    /** Stops and removes an instance (quickly: at most a couple of seconds). */
    RuntimeResult remove(String instanceId);

    /** Every Tendril instance this runtime holds, of any node, running or not. */
    List<Instance> list();

    /**
     * The exit status of an instance that has stopped; empty when it runs, is unknown to the
     * runtime, or the runtime cannot tell (a process this node did not start itself).
     */
    default OptionalInt exitCode(String instanceId) {
        return OptionalInt.empty();
    }
}
