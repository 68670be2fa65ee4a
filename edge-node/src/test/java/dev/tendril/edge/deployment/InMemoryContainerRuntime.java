package dev.tendril.edge.deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A fake runtime for tests: instances are map entries; images in {@code knownImages} start. */
public final class InMemoryContainerRuntime implements ContainerRuntime {
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Set<String> knownImages;
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Runnable beforeStart = () -> {
    };

    public InMemoryContainerRuntime(Set<String> knownImages) {
        this.knownImages = knownImages;
    }

    /** Runs {@code hook} at the beginning of every start (e.g. to advance a test clock by the start's duration). */
    public void beforeStart(Runnable hook) {
        this.beforeStart = hook;
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public synchronized RuntimeResult start(InstanceRequest r) {
        beforeStart.run();
        if (!knownImages.contains(r.image()) && !r.image().startsWith("exits:")) {
            return new RuntimeResult.Failed("image '" + r.image() + "' is not on this machine");
        }
        instances.values().removeIf(i -> i.nodeId().equals(r.nodeId()) && i.service().equals(r.service()));
        Instance i = new Instance("mem-" + ids.incrementAndGet(), r.nodeId(), r.service(), r.image(), true, r.specText());
        instances.put(i.id(), i);
        if (r.image().startsWith("exits:")) { // an image whose instance exits by itself at once with that status
            exit(i.id(), Integer.parseInt(r.image().substring("exits:".length())));
        }
        return new RuntimeResult.Started(i);
    }

    @Override
    public synchronized RuntimeResult remove(String id) {
        return instances.remove(id) == null ? new RuntimeResult.NotFound(id) : new RuntimeResult.Stopped(id);
    }

    @Override
    public synchronized List<Instance> list() {
        return new ArrayList<>(instances.values());
    }

    private final Map<String, Integer> exitCodes = new java.util.HashMap<>();

    /** The instance stops on its own (killed behind the node's back) with {@code exitCode}. */
    public synchronized void exit(String id, int exitCode) {
        Instance i = instances.get(id);
        instances.put(id, new Instance(i.id(), i.nodeId(), i.service(), i.image(), false, i.specText()));
        exitCodes.put(id, exitCode);
    }

    @Override
    public synchronized java.util.OptionalInt exitCode(String id) {
        Integer c = exitCodes.get(id);
        return c == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(c);
    }

    /** Puts an instance in directly, as if left over from an earlier run. */
    public synchronized void plant(Instance i) {
        instances.put(i.id(), i);
    }
}
